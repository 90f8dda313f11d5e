"""`python -m coursekit grade` end to end on a simulated class: real nbgrader, real sandboxes, real hidden suites.

One class, one student per simulate.PROFILES entry (perfect, mixed, stub,
missing, malformed, tampered, hostile, warning) plus four honest students of the
editor compatibility bank, is graded once for the session with --jobs 2, as a
subprocess (as a TA runs it; tests/integration/conftest.py). The per-cell limit is
lowered to 10 s so the hostile student's endless loop costs 10 s, not 30.
A smaller class of three is graded, then graded again but killed half-way, then
graded to the end: the outputs must survive the kill whole and the completed
re-run must write the same CSVs.
"""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_config import COURSE, ROOT
from coursekit.authoring import simulate
from tests import gradescope_format, leaks
from tests.browser import Chromium, chromium_or_fail

pytestmark = pytest.mark.slow
CELL_SECONDS = "10"


def _grade(submitted: Path, out: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "COURSEKIT_CELL_SECONDS": CELL_SECONDS, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "coursekit", "grade", str(submitted), "--out", str(out),
                             "--jobs", "2"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, **popen)


def _read(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def graded(graded_class):
    """(out folder, student_id -> profile, grades.csv rows, summary.csv rows, grader stderr): tests/integration/conftest.py."""
    return graded_class


def _student(profiles: dict, profile: str) -> str:
    return next(sid for sid, p in profiles.items() if p == profile)


def _rows(graded, profile: str, notebook: str | None = None) -> list[dict]:
    _, profiles, grades, _, _ = graded
    sid = _student(profiles, profile)
    return [r for r in grades if r["student_id"] == sid and (notebook is None or r["notebook"] == notebook)]


def _score(rows: list[dict]) -> tuple[float, float]:
    return (sum(float(r["public_score"]) + float(r["hidden_score"]) for r in rows),
            sum(float(r["public_max"]) + float(r["hidden_max"]) for r in rows))


def test_every_submission_has_one_row_per_exercise_and_one_summary_row(graded):
    _, profiles, grades, summary, _ = graded
    assert sorted({r["student_id"] for r in grades}) == sorted(profiles)
    assert len(grades) == len(profiles) * len(COURSE.exercises)
    assert sorted(r["student_id"] for r in summary) == sorted(profiles)
    assert {r["status"] for r in grades} <= {"ok", "failed", "error", "timeout", "crashed", "missing", "tampered"}


def test_reference_answers_get_full_marks(graded):
    got, total = _score(_rows(graded, "perfect"))
    assert got == total == sum(ex.public_points + ex.hidden_points for ex in COURSE.exercises)
    assert {r["status"] for r in _rows(graded, "perfect")} == {"ok"}


def test_release_stubs_get_zero(graded):
    rows = _rows(graded, "stub")
    assert _score(rows)[0] == 0
    assert all("NotImplementedError" in r["message"] for r in rows)


def test_a_correct_answer_that_warns_on_stderr_keeps_full_marks(graded):
    got, total = _score(_rows(graded, "warning"))
    assert got == total


def test_missing_notebook_scores_zero_with_status_missing_and_the_rest_is_graded(graded):
    last = COURSE.tutorials[-1]
    missing = _rows(graded, "missing", last)
    assert {r["status"] for r in missing} == {"missing"} and _score(missing)[0] == 0
    assert f"{last}.ipynb" in missing[0]["message"]
    others = [r for r in _rows(graded, "missing") if r["notebook"] != last]
    assert _score(others)[0] == _score(others)[1]


def test_malformed_notebook_is_an_error_naming_the_file(graded):
    first = COURSE.tutorials[0]
    rows = _rows(graded, "malformed", first)
    assert {r["status"] for r in rows} == {"error"} and _score(rows)[0] == 0
    assert f"{first}.ipynb" in rows[0]["message"]


def test_edited_test_cells_are_restored_and_flagged_tampered(graded):
    _, profiles, _, summary, _ = graded
    rows = _rows(graded, "tampered", COURSE.tutorials[0])
    assert {r["status"] for r in rows} == {"tampered"}
    assert all("edited" in r["message"] for r in rows)
    sid = _student(profiles, "tampered")
    assert "tampered" in next(r for r in summary if r["student_id"] == sid)["flags"]


def test_hostile_cells_are_contained_to_their_own_notebook(graded):
    """exit, an endless loop, reading the gradebook and a fork bomb in Tutorial 2 cost nothing elsewhere.

    Tutorial 1's rule-checked exercises keep their marks although the fork bomb's processes still run in the
    child that ran both notebooks' cells: the grader asks again in a child of Tutorial 1's own.
    """
    root, _, _, _, _ = graded
    hostile = COURSE.tutorials[1]
    others = [r for r in _rows(graded, "hostile") if r["notebook"] != hostile]
    assert _score(others)[0] == _score(others)[1], [(r["grade_id"], r["message"]) for r in others]
    rows = _rows(graded, "hostile", hostile)
    assert all("grader error" not in r["message"] for r in rows), [r["message"] for r in rows]
    unchecked = [r for r in rows if r["grade_id"] != "conv2d"]
    assert sum(float(r["hidden_score"]) for r in unchecked) == sum(float(r["hidden_max"]) for r in unchecked)


def test_processes_a_notebook_leaves_running_refuse_its_rule_checked_exercise_with_the_policy_message(graded):
    """The fork bomb's copies still run when conv2d is called: the no-library-convolution rule cannot be
    checked while another process could do the work, so conv2d is refused and the message says why."""
    conv2d = next(r for r in _rows(graded, "hostile", COURSE.tutorials[1]) if r["grade_id"] == "conv2d")
    assert float(conv2d["hidden_score"]) == 0
    assert "PolicyViolation" in conv2d["message"] and "left another process running" in conv2d["message"]


def test_sandbox_flags_are_reported_in_the_summary(graded):
    _, _, _, summary, err = graded
    flags = summary[0]["flags"]
    assert "landlock" in flags and "netns" in flags and "rlimits" in flags
    assert "sandbox:" in err


def test_feedback_and_gradescope_results_exist_per_student_and_hide_hidden_tests(graded):
    root, profiles, _, _, _ = graded
    hidden_source = (ROOT / "tests" / "hidden" / "test_t1_backprop.py").read_text()
    secret = next(line.strip() for line in hidden_source.splitlines() if line.strip().startswith("def probe_"))
    for sid in profiles:
        assert (root / "autograded" / sid / COURSE.assignment / "results.json").is_file()
        pages = list((root / "feedback" / sid / COURSE.assignment).glob("*.html"))
        assert pages, sid
        assert all(secret not in p.read_text() for p in pages)
    assert (root / "autograded" / "report.html").is_file()


def test_no_feedback_page_results_json_or_report_leaks_hidden_code_or_reference_lines(graded):
    """tests/leaks.py: hidden-suite code, or solution lines the student did not write themselves."""
    root, profiles, _, _, _ = graded
    for sid in profiles:
        own = leaks.own_lines(list((root / "submitted" / sid / COURSE.assignment).glob("*.ipynb")))
        files = [*(root / "feedback" / sid / COURSE.assignment).glob("*.html"),
                 root / "autograded" / sid / COURSE.assignment / "results.json"]
        assert len(files) == len(COURSE.tutorials) + 1, sid
        for path in files:
            assert leaks.file_leaks(path, own) == [], path
    assert leaks.file_leaks(root / "autograded" / "report.html") == []


def test_every_results_json_follows_gradescopes_format_with_one_test_per_check(graded):
    root, profiles, _, _, _ = graded
    checks = _read(root / "autograded" / "checks.csv")
    for sid in profiles:
        results = json.loads((root / "autograded" / sid / COURSE.assignment / "results.json").read_text("utf-8"))
        assert gradescope_format.problems(results) == [], sid
        mine = [c for c in checks if c["student_id"] == sid]
        graded_tests = [t for t in results["tests"] if "not graded" not in t["tags"]]
        assert len(graded_tests) == len(mine), sid
    stub = _student(profiles, "stub")
    assert {c["result"] for c in checks if c["student_id"] == stub and c["kind"] == "hidden"} == {"failed"}


def test_a_really_graded_page_opens_failed_checks_folds_passed_ones_in_chromium(graded):
    root, profiles, _, _, _ = graded
    states = set()
    with Chromium(chromium_or_fail()) as browser:
        for profile, notebook in (("stub", COURSE.tutorials[0]), ("hostile", COURSE.tutorials[1])):
            page = browser.open(root / "feedback" / _student(profiles, profile) / COURSE.assignment / f"{notebook}.html")
            states |= {tuple(s) for s in page.evaluate(
                "[...document.querySelectorAll('details.check')].map(d => [d.className.split(' ')[1], d.open])")}
            assert page.errors() == [], profile
            page.screenshot(ROOT / "tests" / "artifacts" / "screenshots" / f"graded_{profile}_student.png")
        assert browser.open(root / "autograded" / "report.html").errors() == []
    assert ("passed", False) in states and ("failed", True) in states
    assert all(is_open == (state != "passed") for state, is_open in states)


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """A second, three-student class (perfect, mixed, stub) graded once: (root, grades.csv and summary.csv bytes)."""
    root = tmp_path_factory.mktemp("small")
    simulate.build_class(root / "submitted", 3)
    proc = _grade(root / "submitted", root)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return root, {name: (root / "autograded" / name).read_bytes() for name in ("grades.csv", "summary.csv")}


def test_a_run_killed_half_way_leaves_the_outputs_whole_and_a_rerun_writes_the_same_csvs(small_class):
    root, before = small_class
    auto = root / "autograded"
    proc = _grade(root / "submitted", root, start_new_session=True)
    deadline = time.monotonic() + 600
    for line in proc.stderr:  # wait until some, not all, students are graded
        if line.startswith("graded 1/") or time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {name: (auto / name).read_bytes() for name in before} == before
    assert not list(auto.glob(".*.csv.*")), "a temporary output file was left behind"

    rerun = _grade(root / "submitted", root)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-3000:]
    assert {name: (auto / name).read_bytes() for name in before} == before
