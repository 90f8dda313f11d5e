"""`coursekit export canvas|moodle|csv|manual`: grades as the LMS's gradebook import file, or answers for TAs to score.

canvas: Canvas's gradebook import layout `Student,ID,SIS User ID,SIS Login ID,
Section,<Title (assignment id)>`, with a "Points Possible" line; Canvas
matches students by ID (its user id) first, then SIS User ID.  moodle: a CSV
for Moodle's grade import, whose identifier column maps to email or ID
number.  csv: one line per student with every exercise and written answer,
for anything else.  Every score is the total: autograded + written - late
penalty (coursekit.grading.totals), computed from grades.csv, the roster,
manual_scores.csv and summary.csv's submission times.  A rostered student
with nothing submitted has status `missing` and 0.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from course_config import COURSE, ROOT
from coursekit.files import atomic_write
from coursekit.grading import late, manual, totals
from coursekit.grading.exports import read_rows, to_csv
from coursekit.grading.roster import RosterError, Student, load as load_roster

KINDS = ("canvas", "moodle", "csv", "manual")


def canvas_column(course=COURSE) -> str:
    return course.canvas_column or course.assignment


def moodle_column(course=COURSE) -> str:
    return course.moodle_column or f"Assignment: {course.assignment} (Real)"


def canvas(students: list[dict], course=COURSE) -> str:
    """Canvas's gradebook import file."""
    col = canvas_column(course)
    columns = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section", col)
    top = max((s["total_max"] for s in students), default=0.0)
    records = [{"Student": "Points Possible", col: top}]
    for s in students:
        # Without a roster the folder name is the LMS id (collect names folders by it): Canvas's numeric user id.
        lms_id = s["lms_id"] or (s["student_id"] if s["student_id"].isdigit() else "")
        records.append({"Student": s["name"] or s["student_id"], "ID": lms_id,
                        "SIS User ID": s["student_id"] if s["student_id"] != lms_id else "",
                        "SIS Login ID": "", "Section": s["section"], col: s["total"]})
    return to_csv(columns, records)


def moodle(students: list[dict], course=COURSE) -> str:
    """A CSV for Moodle's grade import: "Email address" (or "ID number") maps to the user, the grade column to the
    assignment."""
    col = moodle_column(course)
    columns = ("Email address", "ID number", "Full name", col, "Feedback comments")
    return to_csv(columns, [{"Email address": s["email"], "ID number": s["student_id"], "Full name": s["name"],
                             col: s["total"], "Feedback comments": _feedback(s)} for s in students])


def _feedback(s: dict) -> str:
    parts = [f"autograded {s['auto']:g}/{s['auto_max']:g}"]
    if s["manual_max"]:
        parts.append(f"written answers {s['manual_score']:g}/{s['manual_max']:g}")
    if s["late_penalty"]:
        parts.append(f"{s['hours_late']:g} h late: -{s['late_penalty']:g}")
    return "; ".join(parts) + f" (status {s['status']})"


def plain(students: list[dict], rows, course=COURSE) -> str:
    """One line per student: identity, each exercise's points, each written answer's, the late penalty and total."""
    ids = [e.grade_id for e in course.exercises]
    qs = [f"{q.notebook}:{q.grade_id}" for q in course.questions]
    got = {(r.student_id, r.grade_id): round(r.score, 4) for r in rows}
    columns = ("student_id", "name", "email", "lms_id", "section", "status", *ids, *qs, "auto", "manual_score",
               "hours_late", "late_penalty", "total", "total_max")
    records = []
    for s in students:
        rec = {c: s[c] for c in columns if c in s}
        rec.update({g: got.get((s["student_id"], g), "") for g in ids})
        rec.update({q: s["questions"].get(q, "") for q in qs})
        records.append(rec)
    return to_csv(columns, records)


def _summary(auto: Path) -> dict[str, dict]:
    with open(auto / "summary.csv", newline="", encoding="utf-8") as fh:
        return {rec["student_id"]: rec for rec in csv.DictReader(fh)}


def students(out: Path, people, course=COURSE) -> tuple[list[dict], list]:
    """(one record per student: identity, status and every total; the grades.csv rows), rostered students first.

    A rostered student absent from the grades (the roster came after grading) is `missing` with 0.
    """
    auto = Path(out) / "autograded"
    rows, summary = read_rows(auto), _summary(auto)
    given = manual.scores(out, course)
    stamps = {sid: late.parse_time(rec["submitted_at"]) if rec.get("submitted_at") else None
              for sid, rec in summary.items()}
    extra = totals.extras(rows, roster=people, manual=manual.by_notebook(given), stamps=stamps, course=course)
    auto_max = round(sum(ex.max_points for ex in course.exercises), 4)
    records = []
    for sid in dict.fromkeys([*(people.ids() if people else []), *summary, *extra]):
        person = (people.get(sid) if people else None) or Student(sid)
        e = extra.get(sid) or totals.student(sid, [], roster=people, course=course)
        records.append({"student_id": sid, "name": person.name, "email": person.email, "lms_id": person.lms_id,
                        "section": person.section, "status": summary.get(sid, {}).get("status", "missing"),
                        "auto": round(sum(r.score for r in rows if r.student_id == sid), 4), "auto_max": auto_max,
                        "questions": {f"{k[1]}:{k[2]}": s.score for k, s in given.items() if k[0] == sid},
                        **{k: e[k] for k in ("manual_score", "manual_max", "hours_late", "late_penalty", "total")},
                        "total_max": round(auto_max + e["manual_max"], 4)})
    return records, rows


def _write_manual(out: Path, people, submitted: Path | None, dest: Path | None) -> str:
    from coursekit.grading.discover import discover

    found = discover(Path(submitted) if submitted else COURSE.submitted_dir)
    dest = Path(dest) if dest else manual.path(out)
    names = {s.student_id: s.name for s in people.students} if people else {}
    records = manual.template({f.student_id: f.notebooks for f in found}, names, manual.load(dest))
    manual.write_template(dest, records)
    scored = sum(1 for r in records if r["score"] != "")
    return (f"wrote {dest}: {len(records)} answer(s) of {len(found)} student(s), {scored} already scored; "
            "fill `score` (and `comment`), then run `export canvas|moodle|csv` again")


def main(*, kind: str, out: Path | None = None, roster: Path | None = None, submitted: Path | None = None,
         dest: Path | None = None) -> int:
    """`coursekit export KIND`: write the gradebook import file (or, for manual, the answers to score)."""
    out = Path(out) if out else ROOT
    try:
        people = load_roster(roster, required=roster is not None)
        if kind == "manual":
            print(_write_manual(out, people, submitted, dest))
            return 0
        if not (out / "autograded" / "summary.csv").is_file():
            print(f"error: {out / 'autograded' / 'summary.csv'} not found; run `python -m coursekit grade` first "
                  "(or pass its --out folder)", file=sys.stderr)
            return 2
        records, rows = students(out, people)
    except (RosterError, manual.ManualError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = {"canvas": canvas, "moodle": moodle}.get(kind, lambda s: plain(s, rows))(records)
    dest = Path(dest) if dest else out / "autograded" / f"{kind}_grades.csv"
    atomic_write(dest, text)
    if kind == "moodle" and not any(r["email"] for r in records):
        print("warning: no emails: Moodle matches students by email or ID number; give roster.csv an email "
              "column (the ids in Moodle's download are participant ids, not user ids)", file=sys.stderr)
    print(f"wrote {dest}: {len(records)} student(s); column {_column(kind)!r}")
    return 0


def _column(kind: str) -> str:
    return {"canvas": canvas_column(), "moodle": moodle_column()}.get(kind, "total")
