"""`coursekit merge`: combine the outputs of several `grade --shard` runs into one set.

Class files are rebuilt from each shard's grades.csv and checks.csv, so they
equal an unsharded run's byte for byte; per-student folders (results.json,
feedback pages, which need the submissions) are copied as the shards wrote
them; timing.json and timing.js add up the shards' numbers.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

from course_config import COURSE
from coursekit.grading import report, totals


def _auto(d: Path) -> Path:
    return Path(d) / "autograded" if (Path(d) / "autograded").is_dir() else Path(d)


def _flags(auto: Path) -> set[str]:
    with open(auto / "summary.csv", newline="", encoding="utf-8") as fh:
        return {r["flags"].split(" ")[0].removeprefix("sandbox=") for r in csv.DictReader(fh)}


def _extra(auto: Path) -> dict[str, dict]:
    """student_id -> the summary columns after the contract's (grading.totals), as the shard wrote them."""
    with open(auto / "summary.csv", newline="", encoding="utf-8") as fh:
        return {r["student_id"]: {c: r[c] for c in totals.EXTRA_COLUMNS} for r in csv.DictReader(fh)
                if all(c in r for c in totals.EXTRA_COLUMNS)}


def _timing(autos: list[Path]) -> dict:
    total: dict = {}
    for auto in autos:
        try:
            timing = json.loads((auto / "timing.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for k, v in timing.items():
            if isinstance(v, (int, float)):
                total[k] = total.get(k, 0) + v
    return total


def _copy_students(auto: Path, student_ids: set[str], out: Path) -> None:
    shard_out = auto.parent
    for sid in sorted(student_ids):
        for kind in ("autograded", "feedback"):
            src = report.student_dir(shard_out, kind, sid)
            if src.is_dir():
                shutil.copytree(src, report.student_dir(out, kind, sid), dirs_exist_ok=True)


def main(*, dirs: list[Path], out: Path | None = None) -> int:
    """Combine the outputs of several `grade --shard` runs (each DIR holds autograded/ and feedback/)."""
    out = Path(out) if out else Path.cwd()
    rows, flags, autos, seen, extra = [], set(), [], set(), {}
    for d in dirs:
        auto = _auto(d)
        if not (auto / "grades.csv").exists():
            print(f"error: {auto / 'grades.csv'} not found; pass the --out folder of each shard", file=sys.stderr)
            return 2
        autos.append(auto)
        shard_rows = [r for r in report.read_rows(auto) if (r.student_id, r.grade_id) not in seen]
        seen |= {(r.student_id, r.grade_id) for r in shard_rows}
        rows += shard_rows
        flags |= _flags(auto)
        extra = {**_extra(auto), **extra}  # like rows: the first shard that has a student wins
        if auto.resolve() != (out / "autograded").resolve():
            _copy_students(auto, {r.student_id for r in shard_rows}, out)
    order = [e.grade_id for e in COURSE.exercises]
    rows.sort(key=lambda r: (r.student_id, order.index(r.grade_id)))
    report.write_class(rows, "+".join(sorted(flags)), out / "autograded", extra or None)
    report.write_timing(_timing(autos), out / "autograded")
    print(report.summary_table(rows))
    return 0
