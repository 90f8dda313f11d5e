"""Gradescope's results.json for one student: one test per check, and one per exercise that could not be graded.

Field names and types follow Gradescope's documented format (score, max_score,
status, name, output, output_format "md", visibility, tags; top-level score,
execution_time, output, tests).  The file exists for every student, whatever
happened to their notebooks: an exercise without checks still has an entry
that says why it scored zero.  An exercise with a diagnosis (grading.diagnosis)
carries its slug in `extra_data.diagnosis` of each of its tests, and its failed
checks say what the mistake looks like.
"""
from __future__ import annotations

import re

from course_config import COURSE
from coursekit.grading import advice
from coursekit.results import Row

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Text shown literally in Markdown: special characters escaped, each line its own paragraph."""
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", line) for line in text.splitlines() if line.strip())


def _check_test(r: Row, check) -> dict:
    said = check.message or "This check failed."
    if r.diagnosis is not None:
        said += f"\nThis looks like: {r.diagnosis.sentence}."
    test = {"name": f"{r.grade_id}: {check.name}", "score": round(check.points, 2),
            "max_score": round(check.max_points, 2), "status": "passed" if check.passed else "failed",
            "output": "" if check.passed else md(said), "output_format": "md",
            "visibility": COURSE.visibility.of(r.grade_id, check.public),
            "tags": [r.notebook, r.grade_id, "public" if check.public else "hidden"]}
    if r.diagnosis is not None:
        test["extra_data"] = {"diagnosis": r.diagnosis.slug}
    return test


def _ungraded_test(r: Row) -> dict:
    what = advice.for_status(r.status)
    return {"name": f"{r.grade_id}: could not be graded ({advice.WORDS.get(r.status, r.status)})",
            "score": round(r.score, 2), "max_score": round(r.max_score, 2), "status": "failed",
            "output": md(f"{r.message}\n{what}"), "output_format": "md", "visibility": "visible",
            "tags": [r.notebook, r.grade_id, "not graded"]}


def results(rows: list[Row], execution_time: float = 0.0) -> dict:
    """The results.json object for one student's rows."""
    tests = []
    for r in rows:
        tests += [_check_test(r, c) for c in r.checks] if r.checks else [_ungraded_test(r)]
    score = sum(r.score for r in rows)
    top = sum(r.max_score for r in rows)
    return {"score": round(score, 2), "execution_time": int(round(execution_time)),
            "output": (f"Autograded: {round(score, 2):g} of {round(top, 2):g} points. Each test is one check; "
                       "failed checks say which behaviour to fix, never the expected values."),
            "output_format": "md", "visibility": "visible", "tests": tests}
