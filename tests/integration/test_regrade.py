"""Regrading only what changed (coursekit.grading.incremental): who is regraded, and outputs equal a full run's.

The first tests decide plans over a real simulated class and real records,
with rows written by hand (no grading).  The last ones grade for real with
`coursekit grade --no-public --jobs 1`: the hidden suites alone decide who
is regraded as well as nbgrader would, and cost a fraction of the time (the
public tests' part of identical outputs is checked by test_workflows).  A
class of two is graded; three late submissions arrive (one of them hostile,
so a run is still busy when it is killed); a run killed half-way leaves no
record for the students it did not finish; the next run grades exactly the
three; `--force` then regrades all five and writes the same bytes.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import simulate
from coursekit.grading import incremental
from coursekit.grading.discover import discover
from coursekit.results import CellProblem, Check, Graded, Row

SETTINGS = {"public": True, "unsafe": False}
FIRST, LATE = ("student001", "student003"), ("student004", "student006", "student007")  # perfect, stub | missing,
VOLATILE_FILES = {"timing.json", "timing.js"}  # tampered, hostile (simulate.PROFILES order)
EXECUTION_TIME = re.compile(rb'\n *"execution_time": [0-9.]+,?')


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Path:
    """Eight simulated submissions (one per profile) to copy classes from."""
    folder = tmp_path_factory.mktemp("bank")
    simulate.build_class(folder, len(simulate.PROFILES))
    return folder


def _class(bank: Path, dest: Path, students) -> Path:
    for sid in students:
        shutil.copytree(bank / sid, dest / sid)
    return dest


def _rows(student_id: str, status: str = "ok") -> list[Row]:
    """One row per exercise, with a check and the number types a real run gives (int maxima, float scores)."""
    return [Row(student_id, ex.notebook, ex.grade_id, 0.5, ex.public_points, 1.25, ex.hidden_points, status,
                "a message | with a bar", checks=[Check(student_id, ex.grade_id, "a behaviour", False, "failed",
                                                         "why", 0.0, 1.0)], flags=["id_collision"])
            for ex in COURSE.exercises]


def _graded_run(found, submitted: Path, out: Path, *, force=False, settings=SETTINGS, inputs=None):
    """Plan, 'grade' (rows by hand), record: what pipeline.main does around the real grading."""
    todo = incremental.plan(found, submitted, out, force=force, settings=settings, inputs=inputs)
    rows = [r for f in todo.to_grade for r in _rows(f.student_id)]
    problems = [CellProblem(f.student_id, COURSE.tutorials[0], 3, "x = 1/0", "ZeroDivisionError", "division")
                for f in todo.to_grade]
    graded = Graded(rows, {"landlock": 7}, {"public_seconds": 1.0}, problems)
    incremental.record(graded, todo.to_grade, todo.keys, "landlock7", out)
    return todo, graded


def _ids(found) -> list[str]:
    return [f.student_id for f in found]


def test_a_rerun_with_nothing_changed_grades_nobody_and_keeps_every_row_exactly(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    found = discover(submitted)
    _, first = _graded_run(found, submitted, tmp_path / "out")
    todo = incremental.plan(found, submitted, tmp_path / "out", force=False, settings=SETTINGS)
    assert todo.to_grade == [] and sorted(todo.kept) == list(FIRST)
    combined, flags = incremental.combine(found, todo, Graded([], {}, {}), None)
    assert combined.rows == first.rows and flags == "landlock7"
    assert [r.checks for r in combined.rows] == [r.checks for r in first.rows]
    assert [r.flags for r in combined.rows] == [r.flags for r in first.rows]
    assert [type(r.public_max) for r in combined.rows] == [type(r.public_max) for r in first.rows]
    assert combined.cell_problems == first.cell_problems


def test_changing_one_submitted_file_regrades_only_that_student(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    _graded_run(discover(submitted), submitted, tmp_path / "out")
    (submitted / FIRST[1] / COURSE.assignment / "timestamp.txt").write_text("2026-11-29 09:00:00 UTC\n")
    todo = incremental.plan(discover(submitted), submitted, tmp_path / "out", force=False, settings=SETTINGS)
    assert _ids(todo.to_grade) == [FIRST[1]] and list(todo.kept) == [FIRST[0]]


def test_editing_a_hidden_suite_regrades_every_student(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    suites = tmp_path / "hidden"
    shutil.copytree(ROOT / "tests" / "hidden", suites, ignore=shutil.ignore_patterns("__pycache__"))
    inputs = [suites, *incremental.grader_inputs()[1:]]
    assert incremental.grader_inputs()[0] == ROOT / "tests" / "hidden"
    _graded_run(discover(submitted), submitted, tmp_path / "out", inputs=inputs)
    suite = suites / "test_t1_backprop.py"
    suite.write_text(suite.read_text() + "\n# a fixed tolerance\n")
    todo = incremental.plan(discover(submitted), submitted, tmp_path / "out", force=False, settings=SETTINGS,
                            inputs=inputs)
    assert _ids(todo.to_grade) == list(FIRST) and todo.kept == {}


def test_other_settings_or_force_regrade_everyone(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    found = discover(submitted)
    _graded_run(found, submitted, tmp_path / "out")
    no_public = incremental.plan(found, submitted, tmp_path / "out", force=False, settings={**SETTINGS,
                                                                                          "public": False})
    forced = incremental.plan(found, submitted, tmp_path / "out", force=True, settings=SETTINGS)
    assert _ids(no_public.to_grade) == _ids(forced.to_grade) == list(FIRST)


def test_a_student_with_no_rows_or_an_unreadable_record_is_graded_again(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    found, out = discover(submitted), tmp_path / "out"
    todo = incremental.plan(found, submitted, out, force=False, settings=SETTINGS)
    graded = Graded(_rows(FIRST[0]), {}, {})  # the run ended before FIRST[1] had rows
    incremental.record(graded, todo.to_grade, todo.keys, "landlock7", out)
    assert len(list((out / incremental.RECORDS).iterdir())) == 1
    again = incremental.plan(found, submitted, out, force=False, settings=SETTINGS)
    assert _ids(again.to_grade) == [FIRST[1]]
    next((out / incremental.RECORDS).iterdir()).write_text('{"format": 1, "rows": [')
    assert _ids(incremental.plan(found, submitted, out, force=False, settings=SETTINGS).to_grade) == list(FIRST)


def test_records_of_students_no_longer_submitted_are_removed(bank, tmp_path):
    submitted = _class(bank, tmp_path / "submitted", FIRST)
    _graded_run(discover(submitted), submitted, tmp_path / "out")
    shutil.rmtree(submitted / FIRST[0])
    incremental.prune(discover(submitted), tmp_path / "out")
    records = [json.loads(p.read_text()) for p in (tmp_path / "out" / incremental.RECORDS).iterdir()]
    assert [r["student_id"] for r in records] == [FIRST[1]]


# ------------------------------------------------------------------ real grading

def _grade(submitted: Path, out: Path, *extra: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "COURSEKIT_CELL_SECONDS": "5", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "coursekit", "grade", str(submitted), "--out", str(out),
                             "--jobs", "1", "--no-public", *extra], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                            text=True, **popen)


def _finish(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return err


def _regraded(stderr: str) -> tuple[int, int]:
    m = re.search(r"regrading (\d+) of (\d+) student", stderr)
    assert m, stderr[-2000:]
    return int(m.group(1)), int(m.group(2))


def _tree(out: Path) -> dict[str, bytes]:
    files = sorted(p for kind in ("autograded", "feedback") for p in (out / kind).rglob("*") if p.is_file())
    return {p.relative_to(out).as_posix(): EXECUTION_TIME.sub(b"", p.read_bytes()) if p.name == "results.json"
            else p.read_bytes() for p in files if p.name not in VOLATILE_FILES}


@pytest.fixture(scope="module")
def regrades(bank, tmp_path_factory):
    """The story of one output folder: what each run said it regraded, and the outputs after it."""
    root = tmp_path_factory.mktemp("regrade")
    submitted, out, seen = _class(bank, root / "submitted", FIRST), root / "out", {}
    seen["first"] = _regraded(_finish(_grade(submitted, out)))
    first = _tree(out)
    seen["unchanged"] = _regraded(_finish(_grade(submitted, out)))
    seen["unchanged_same_bytes"] = _tree(out) == first
    _class(bank, submitted, LATE)
    killed = _grade(submitted, out, start_new_session=True)
    for line in killed.stderr:  # one late student finished, the hostile one still running
        if line.startswith("graded 1/"):
            break
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    seen["records_after_kill"] = sorted(json.loads(p.read_text())["student_id"]
                                        for p in (out / incremental.RECORDS).iterdir())
    seen["outputs_after_kill_unchanged"] = _tree(out) == first
    seen["late"] = _regraded(_finish(_grade(submitted, out)))
    after_late = _tree(out)
    seen["forced"] = _regraded(_finish(_grade(submitted, out, "--force")))
    seen["forced_same_bytes"] = _tree(out) == after_late
    seen["students"] = sorted({line.split(",")[0] for line in (out / "autograded" / "summary.csv").read_text()
                               .splitlines()[1:]})
    return seen


@pytest.mark.slow
def test_a_rerun_of_an_unchanged_class_grades_nobody_and_writes_the_same_outputs(regrades):
    assert regrades["first"] == (2, 2)
    assert regrades["unchanged"] == (0, 2)
    assert regrades["unchanged_same_bytes"]


@pytest.mark.slow
def test_a_run_killed_half_way_leaves_no_record_for_students_it_did_not_finish(regrades):
    assert regrades["records_after_kill"] == sorted(FIRST)
    assert regrades["outputs_after_kill_unchanged"]


@pytest.mark.slow
def test_three_late_submissions_grade_three_and_force_regrades_all_to_the_same_bytes(regrades):
    assert regrades["late"] == (3, 5)
    assert regrades["forced"] == (5, 5)
    assert regrades["forced_same_bytes"]
    assert regrades["students"] == sorted(FIRST + LATE)
