"""`coursekit grade --jobs 2` on a class mixing every editor format and LMS-style names with hostile students.

Four honest students, named as an LMS names folders (accents, CJK, a pair whose
plain ids coincide), hand in the reference answers saved by the editors of the
compatibility bank (tests/compat/editors.py), each notebook by another editor;
two more follow simulate's hostile and tampered profiles.  Every honest student
keeps full marks, every student is in both CSVs under the name as written, the
hostile one is still contained and the tampered one still flagged.
"""
import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import simulate
from tests.compat.editors import EDITORS

pytestmark = pytest.mark.slow
T1, T2, T3 = COURSE.tutorials
HONEST = {  # student -> editor per notebook: all eight formats, Tutorial 1 in four of them
    "José García": {T1: "jupyterlab4", T2: "notebook7", T3: "nbformat45"},
    "Jose Garcia": {T1: "colab", T2: "crlf", T3: "trailing_whitespace"},
    "王小明": {T1: "vscode", T2: "nbformat44", T3: "colab"},
    "Zoë Ünal": {T1: "notebook7", T2: "vscode", T3: "jupyterlab4"},
}
HOSTILE = {"hostile student": "hostile", "tampered-student": "tampered"}


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write_class(submitted: Path) -> None:
    import random

    for student, editors in HONEST.items():
        folder = submitted / student / COURSE.assignment
        folder.mkdir(parents=True)
        for name, editor in editors.items():
            (folder / f"{name}.ipynb").write_bytes(EDITORS[editor](name).encode("utf-8"))
    for student, profile in HOSTILE.items():
        folder = submitted / student / COURSE.assignment
        folder.mkdir(parents=True)
        for name, nb in simulate.student_notebooks(profile, random.Random(0)).items():
            (folder / f"{name}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(out folder, grades.csv rows, summary.csv rows, grader stderr)."""
    root = tmp_path_factory.mktemp("compat")
    _write_class(root / "submitted")
    env = {**os.environ, "COURSEKIT_CELL_SECONDS": "10", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "coursekit", "grade", str(root / "submitted"), "--out", str(root),
                           "--jobs", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    auto = root / "autograded"
    return root, _read(auto / "grades.csv"), _read(auto / "summary.csv"), proc.stderr


def test_every_student_is_in_both_csvs_under_the_name_as_written(graded):
    _, grades, summary, _ = graded
    everyone = sorted([*HONEST, *HOSTILE])
    assert sorted({r["student_id"] for r in grades}) == everyone
    assert len(grades) == len(everyone) * len(COURSE.exercises)
    assert sorted(r["student_id"] for r in summary) == everyone


def test_every_honest_student_keeps_full_marks_whatever_saved_the_notebook(graded):
    _, _, summary, _ = graded
    lost = {r["student_id"]: (r["score"], r["max_score"], r["status"]) for r in summary
            if r["student_id"] in HONEST and (r["score"] != r["max_score"] or r["status"] != "ok")}
    assert lost == {}


def test_outputs_are_filed_under_the_original_names(graded):
    root, _, _, _ = graded
    for student in [*HONEST, *HOSTILE]:
        assert (root / "autograded" / student / COURSE.assignment / "results.json").is_file(), student
        assert list((root / "feedback" / student / COURSE.assignment).glob("*.html")), student


def test_names_whose_plain_ids_coincide_are_graded_apart_and_flagged(graded):
    _, _, summary, err = graded
    flags = {r["student_id"]: r["flags"] for r in summary}
    assert "id_collision" in flags["José García"] and "id_collision" in flags["Jose Garcia"]
    assert "id_collision" not in flags["王小明"]
    assert "would share the id" in err


def test_hostile_and_tampered_students_are_still_caught(graded):
    _, grades, summary, _ = graded
    hostile = [r for r in grades if r["student_id"] == "hostile student"]
    assert all("grader error" not in r["message"] for r in hostile)
    assert all(float(r["hidden_score"]) == float(r["hidden_max"]) for r in hostile if r["notebook"] != T2)
    tampered = [r for r in grades if r["student_id"] == "tampered-student" and r["notebook"] == T1]
    assert {r["status"] for r in tampered} == {"tampered"}
    assert "tampered" in next(r for r in summary if r["student_id"] == "tampered-student")["flags"]
