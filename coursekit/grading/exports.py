"""The class's CSV files (grades, summary, scores, checks), and rows read back from them for `merge`.

Columns are data: SUMMARY_FIELDS maps each summary.csv column to how it is
computed from one student's rows, so a later column is one more entry after the
contract's.  checks.csv keeps every field of a Check, and diagnoses.csv every
diagnosis (grading.diagnosis: one line per student and exercise that got one),
so a merge rebuilds the class report from the shards' files alone.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import Callable

from course_config import COURSE
from coursekit.results import GRADE_COLUMNS, SUMMARY_COLUMNS, Check, Diagnosis, Row, worst

CHECK_COLUMNS = ("student_id", "notebook", "grade_id", "check", "kind", "result", "status", "points",
                 "max_points", "message")
DIAGNOSIS_COLUMNS = ("student_id", "notebook", "grade_id", "diagnosis", "misconception")


def _num(x: float) -> str:
    return f"{x:g}"


def to_csv(columns, records: list[dict]) -> str:
    """CSV text, floats in their shortest form, utf-8 safe (the caller writes it as utf-8)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: _num(v) if isinstance(v, float) else v for k, v in rec.items()})
    return buf.getvalue()


def by_student(rows) -> dict[str, list[Row]]:
    """student_id -> their rows, in the rows' order."""
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[r.student_id].append(r)
    return dict(out)


def grade_records(rows) -> list[dict]:
    return [{c: getattr(r, c) for c in GRADE_COLUMNS} for r in rows]


def _flags(rows: list[Row], flags: str) -> str:
    tampered = ["tampered"] if any(r.status == "tampered" for r in rows) else []
    own = list(dict.fromkeys(f for r in rows for f in r.flags))  # discovery's, e.g. id_collision
    return " ".join(f for f in [flags, *tampered, *own] if f)


# column -> value from (student_id, that student's rows, the run's sandbox flags); contract columns first.
SUMMARY_FIELDS: dict[str, Callable[[str, list[Row], str], object]] = {
    "student_id": lambda sid, rows, flags: sid,
    "score": lambda sid, rows, flags: round(sum(r.score for r in rows), 4),
    "max_score": lambda sid, rows, flags: round(sum(r.max_score for r in rows), 4),
    "status": lambda sid, rows, flags: worst({r.status for r in rows}),
    "flags": lambda sid, rows, flags: _flags(rows, flags),
}
assert tuple(SUMMARY_FIELDS)[:len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS, "summary.csv: contract columns first"


def summary_records(rows, flags: str, extra: dict[str, dict] | None = None) -> list[dict]:
    """extra: student_id -> columns after SUMMARY_FIELDS (roster, written answers, late work: grading.totals)."""
    extra = extra or {}
    return [{**{col: value(sid, rs, flags) for col, value in SUMMARY_FIELDS.items()}, **extra.get(sid, {})}
            for sid, rs in by_student(rows).items()]


def score_records(rows) -> list[dict]:
    """scores.csv: one line per student, one column per exercise (registry order), then the total."""
    ids = [e.grade_id for e in COURSE.exercises]
    out = []
    for sid, rs in by_student(rows).items():
        got = {r.grade_id: round(r.score, 4) for r in rs}
        out.append({"student_id": sid, **{g: got.get(g, "") for g in ids},
                    "total": round(sum(r.score for r in rs), 4), "max_score": round(sum(r.max_score for r in rs), 4)})
    return out


def score_columns() -> tuple[str, ...]:
    return ("student_id", *(e.grade_id for e in COURSE.exercises), "total", "max_score")


def check_records(rows) -> list[dict]:
    """checks.csv: one line per student and check."""
    return [{"student_id": c.student_id, "notebook": r.notebook, "grade_id": c.grade_id, "check": c.name,
             "kind": "public" if c.public else "hidden", "result": "passed" if c.passed else "failed",
             "status": c.status, "points": round(c.points, 4), "max_points": round(c.max_points, 4),
             "message": c.message} for r in rows for c in r.checks]


def diagnosis_records(rows) -> list[dict]:
    """diagnoses.csv: one line per student and exercise whose answer matched a known mistake."""
    return [{"student_id": r.student_id, "notebook": r.notebook, "grade_id": r.grade_id,
             "diagnosis": r.diagnosis.slug, "misconception": r.diagnosis.sentence} for r in rows if r.diagnosis]


def _check(rec: dict) -> Check:
    return Check(student_id=rec["student_id"], grade_id=rec["grade_id"], name=rec["check"],
                 passed=rec["result"] == "passed", status=rec["status"], message=rec["message"],
                 points=float(rec["points"]), max_points=float(rec["max_points"]), public=rec["kind"] == "public")


def read_rows(auto_dir: Path) -> list[Row]:
    """Rows from grades.csv, each with its checks from checks.csv when that file is there."""
    auto_dir = Path(auto_dir)
    with open(auto_dir / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = [Row.from_record(rec) for rec in csv.DictReader(fh)]
    index = {(r.student_id, r.grade_id): r for r in rows}
    if (auto_dir / "checks.csv").exists():
        with open(auto_dir / "checks.csv", newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                row = index.get((rec["student_id"], rec["grade_id"]))
                if row is not None:
                    row.checks.append(_check(rec))
    if (auto_dir / "diagnoses.csv").exists():
        with open(auto_dir / "diagnoses.csv", newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                row = index.get((rec["student_id"], rec["grade_id"]))
                if row is not None:
                    row.diagnosis = Diagnosis(rec["diagnosis"], rec["misconception"])
    return rows


def summary_table(rows) -> str:
    """The summary as a terminal table."""
    recs = summary_records(rows, "")
    width = max([len(r["student_id"]) for r in recs] + [10])
    lines = [f"{'student':{width}s} {'score':>7s} {'max':>5s}  status"]
    lines += [f"{r['student_id']:{width}s} {r['score']:7.2f} {r['max_score']:5g}  {r['status']}" for r in recs]
    return "\n".join(lines)
