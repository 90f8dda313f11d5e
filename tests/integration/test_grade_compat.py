"""`coursekit grade --jobs 2` on a class mixing every editor format and LMS-style names with hostile students.

Four honest students, named as an LMS names folders (accents, CJK, a pair whose
plain ids coincide), hand in the reference answers saved by the editors of the
compatibility bank (tests/compat/editors.py), each notebook by another editor,
in the same class as every simulate profile, hostile and tampered included
(graded once per session: tests/integration/conftest.py).  Every honest student
keeps full marks, every student is in both CSVs under the name as written, the
hostile one is still contained and the tampered one still flagged.
"""

import pytest

from course_config import COURSE
from tests.compat.editors import HONEST

pytestmark = pytest.mark.slow
T2 = COURSE.tutorials[1]


@pytest.fixture(scope="module")
def graded(graded_class):
    """(out folder, grades.csv rows, summary.csv rows, grader stderr, student_id -> profile)."""
    root, profiles, grades, summary, err = graded_class
    return root, grades, summary, err, profiles


def _who(graded, profile: str) -> str:
    return next(sid for sid, p in graded[4].items() if p == profile)


def test_every_student_is_in_both_csvs_under_the_name_as_written(graded):
    _, grades, summary, _, profiles = graded
    everyone = sorted(profiles)
    assert set(HONEST) <= set(everyone)
    assert sorted({r["student_id"] for r in grades}) == everyone
    assert len(grades) == len(everyone) * len(COURSE.exercises)
    assert sorted(r["student_id"] for r in summary) == everyone


def test_every_honest_student_keeps_full_marks_whatever_saved_the_notebook(graded):
    _, _, summary, _, _ = graded
    lost = {r["student_id"]: (r["score"], r["max_score"], r["status"]) for r in summary
            if r["student_id"] in HONEST and (r["score"] != r["max_score"] or r["status"] != "ok")}
    assert lost == {}


def test_outputs_are_filed_under_the_original_names(graded):
    root, _, _, _, profiles = graded
    for student in profiles:
        assert (root / "autograded" / student / COURSE.assignment / "results.json").is_file(), student
        assert list((root / "feedback" / student / COURSE.assignment).glob("*.html")), student


def test_names_whose_plain_ids_coincide_are_graded_apart_and_flagged(graded):
    _, _, summary, err, _ = graded
    flags = {r["student_id"]: r["flags"] for r in summary}
    assert "id_collision" in flags["José García"] and "id_collision" in flags["Jose Garcia"]
    assert "id_collision" not in flags["王小明"]
    assert "would share the id" in err


def test_hostile_and_tampered_students_are_still_caught(graded):
    _, grades, summary, _, _ = graded
    hostile = [r for r in grades if r["student_id"] == _who(graded, "hostile")]
    assert all("grader error" not in r["message"] for r in hostile)
    assert all(float(r["hidden_score"]) == float(r["hidden_max"]) for r in hostile if r["notebook"] != T2)
    tampered = [r for r in grades if r["student_id"] == _who(graded, "tampered") and r["notebook"] == COURSE.tutorials[0]]
    assert {r["status"] for r in tampered} == {"tampered"}
    assert "tampered" in next(r for r in summary if r["student_id"] == _who(graded, "tampered"))["flags"]
