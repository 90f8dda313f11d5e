"""`coursekit merge`: combine the outputs of several `grade --shard` runs into one set."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from course_config import COURSE
from coursekit.grading import report


def main(*, dirs: list[Path], out: Path | None = None) -> int:
    """Combine the outputs of several `grade --shard` runs (each DIR holds autograded/ and feedback/)."""
    rows, flags = [], set()
    for d in dirs:
        auto = Path(d) / "autograded" if (Path(d) / "autograded").is_dir() else Path(d)
        if not (auto / "grades.csv").exists():
            print(f"error: {auto / 'grades.csv'} not found; pass the --out folder of each shard", file=sys.stderr)
            return 2
        rows += report.read_rows(auto)
        with open(auto / "summary.csv", newline="") as fh:
            flags |= {r["flags"].split(" ")[0].removeprefix("sandbox=") for r in csv.DictReader(fh)}
    seen = set()
    unique = [r for r in rows if (r.student_id, r.grade_id) not in seen and not seen.add((r.student_id, r.grade_id))]
    unique.sort(key=lambda r: (r.student_id, [e.grade_id for e in COURSE.exercises].index(r.grade_id)))
    out = Path(out) if out else Path.cwd()
    report.write_all(unique, "+".join(sorted(flags)), out)
    print(report.summary_table(unique))
    return 0
