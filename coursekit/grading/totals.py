"""Each student's final grade: autograded points plus the TAs' manual scores minus the late penalty, with roster names.

summary.csv gets these as the columns after the contract's (EXTRA_COLUMNS);
`export` computes them again from grades.csv, the roster, manual_scores.csv
and summary.csv's submission times, so scores given after grading count.
The penalty is nbgrader's: per notebook, on that notebook's autograded and
manual points, never below zero (coursekit.grading.late).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from pathlib import Path

from course_config import COURSE
from coursekit.grading import late
from coursekit.results import worst

EXTRA_COLUMNS = ("name", "section", "submitted_at", "hours_late", "late_penalty", "manual_score", "manual_max",
                 "total", "total_max")
NOT_ON_ROSTER = "not_on_roster"  # summary.csv flag of a submitter the roster does not list


def _num(x: float) -> float:
    return round(x, 4)


def student(sid: str, rows: list, *, roster=None, manual: dict[str, float] | None = None,
            submitted_at: datetime | None = None, course=COURSE) -> dict:
    """The extra summary columns of one student, from their rows and manual points per notebook."""
    manual = manual or {}
    auto = defaultdict(float)
    for r in rows:
        auto[r.notebook] += r.score
    seconds = late.seconds_late(submitted_at, course.late)
    penalty = sum(late.penalty(course.late, seconds, auto[nb] + manual.get(nb, 0.0))
                  for nb in set(auto) | set(manual))
    person = roster.get(sid) if roster else None
    manual_score = sum(manual.values())
    manual_max = sum(q.points for q in course.questions)
    return {"name": person.name if person else "", "section": person.section if person else "",
            "submitted_at": late.stamp(submitted_at) if submitted_at else "",
            "hours_late": _num(seconds / 3600) if seconds else 0.0, "late_penalty": _num(penalty),
            "manual_score": _num(manual_score), "manual_max": _num(manual_max),
            "total": _num(sum(r.score for r in rows) + manual_score - penalty),
            "total_max": _num(sum(r.max_score for r in rows) + manual_max)}


def extras(rows, *, roster=None, manual: dict[str, dict[str, float]] | None = None,
           stamps: dict[str, datetime | None] | None = None, course=COURSE) -> dict[str, dict]:
    """student_id -> the extra summary columns, for every student in rows."""
    by_sid = defaultdict(list)
    for r in rows:
        by_sid[r.student_id].append(r)
    manual, stamps = manual or {}, stamps or {}
    return {sid: student(sid, rs, roster=roster, manual=manual.get(sid), submitted_at=stamps.get(sid), course=course)
            for sid, rs in by_sid.items()}


def for_grade(rows, roster, submitted: Path, manual_points: dict[str, dict[str, float]], course=COURSE
              ) -> dict[str, dict]:
    """The extra columns of a `grade` run: submission times read from each student's timestamp.txt."""
    stamps = {sid: late.read_stamp(Path(submitted) / sid / course.assignment, course.late.timezone)
              for sid in {r.student_id for r in rows}}
    return extras(rows, roster=roster, manual=manual_points, stamps=stamps, course=course)


def _g(x) -> str:
    """A number as summary.csv writes it, from a float or from the CSV's text (merge reads it back)."""
    return f"{float(x):g}"


def report_section(extra: dict[str, dict], rows, course=COURSE) -> str:
    """The report's class list: name, section, autograded, written, late and final points per student."""
    if not extra:
        return ""
    statuses = {sid: worst({r.status for r in rows if r.student_id == sid}) for sid in extra}
    due = escape(course.late.due) if course.late.due else "none set"
    head = ("<tr><th>student</th><th>name</th><th>section</th><th>status</th><th>written</th>"
            "<th>hours late</th><th>penalty</th><th>total</th></tr>")
    body = "".join(
        f"<tr><td>{escape(sid)}</td><td>{escape(e['name'])}</td><td>{escape(e['section'])}</td>"
        f"<td>{escape(statuses.get(sid, ''))}</td><td>{_g(e['manual_score'])}/{_g(e['manual_max'])}</td>"
        f"<td>{_g(e['hours_late'])}</td><td>{_g(e['late_penalty'])}</td><td>{_g(e['total'])}/{_g(e['total_max'])}</td>"
        "</tr>"
        for sid, e in extra.items())
    return (f"<h2>Class list, written answers and late work</h2><p>Due: {due}; late policy: "
            f"{escape(course.late.method)}. Written answers are scored by TAs (manual_scores.csv or formgrader); "
            f"total = autograded + written - penalty.</p><table>{head}{body}</table>")
