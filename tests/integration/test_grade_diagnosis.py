"""Diagnosis measured on mistakes it has not seen (tests/diagnosis/), and shown end to end in a graded class.

The measurement grades, in this process, every second wrong implementation, every mistake no bank entry
makes, every correct bank entry and the reference notebooks, as `python -m coursekit diagnose` does.
"""
import json
import re

import pytest

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.authoring import diagnose
from coursekit.grading.report import student_dir
from tests.integration.conftest import read_csv

pytestmark = pytest.mark.slow

MISCONCEPTION = re.compile(r"^# misconception ([a-z0-9-]+):", re.MULTILINE)


@pytest.fixture(scope="module")
def measured():
    cases = diagnose.cases()
    return cases, diagnose.measure(cases)


def test_no_correct_bank_entry_nor_reference_notebook_is_ever_diagnosed(measured):
    cases, got = measured
    clean = [c for c in cases if c.kind in ("correct", "reference")]
    assert len(clean) >= 30 and {c.name: got[c.name][0] for c in clean if got[c.name][0]} == {}


def test_a_mistake_no_bank_entry_makes_gets_no_diagnosis(measured):
    cases, got = measured
    unknown = [c for c in cases if c.kind == diagnose.UNKNOWN]
    assert len(unknown) >= 3
    assert all(got[c.name][1] for c in unknown), "each is wrong: it loses points"
    assert {c.name: got[c.name][0] for c in unknown if got[c.name][0]} == {}


def test_second_implementations_are_diagnosed_as_their_own_mistake_and_never_as_another(measured):
    cases, got = measured
    second = [c for c in cases if c.kind == "second"]
    assert len({c.expected for c in second}) >= 15
    assert {c.name: got[c.name][0] for c in second if got[c.name][0] not in (None, c.expected)} == {}
    right = {c.grade_id for c in second if got[c.name][0] == c.expected}
    assert right == {ex.grade_id for ex in COURSE.exercises}, "at least one known mistake of each exercise"
    assert sum(got[c.name][0] == c.expected for c in second) >= 0.8 * len(second)


def _bank_mistakes(root) -> dict[tuple[str, str], str]:
    """(student, grade_id) -> slug of every bank mistake simulate copied into a submitted solution cell."""
    out = {}
    for path in sorted((root / "submitted").glob(f"*/{COURSE.assignment}/*.ipynb")):
        try:
            cells = nbk.read(path).cells
        except nbk.NotebookError:
            continue  # the malformed student's
        for cell in cells:
            found = MISCONCEPTION.search(cell.source) if cell.cell_type == "code" else None
            if found and nbk.grade_id(cell):
                out[(path.parent.parent.name, nbk.grade_id(cell))] = found[1]
    return out


def test_a_graded_class_names_each_bank_mistake_in_every_output(graded_class):
    root, _, grades, _, _ = graded_class
    made = _bank_mistakes(root)
    assert made, "simulate's mixed students copy bank mistakes"
    diagnosed = {(r["student_id"], r["grade_id"]): r["diagnosis"]
                 for r in read_csv(root / "autograded" / "diagnoses.csv")}
    assert {k: diagnosed.get(k) for k in made} == made
    lost = {(r["student_id"], r["grade_id"]) for r in grades
            if float(r["public_score"]) + float(r["hidden_score"]) < float(r["public_max"]) + float(r["hidden_max"])}
    assert set(diagnosed) <= lost, "never a diagnosis on full marks"
    (sid, gid), slug = next(iter(made.items()))
    results = json.loads((student_dir(root, "autograded", sid) / "results.json").read_text("utf-8"))
    tagged = [t for t in results["tests"] if gid in t["tags"]]
    assert tagged and all(t.get("extra_data") == {"diagnosis": slug} for t in tagged)
    page = (student_dir(root, "feedback", sid) / f"{COURSE.exercise(gid).notebook}.html").read_text("utf-8")
    assert "This looks like:" in page.split(f'id="{gid}"')[1].split("</section>")[0]
    assert slug in (root / "autograded" / "report.html").read_text("utf-8")
