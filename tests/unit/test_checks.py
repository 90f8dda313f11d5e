"""Per-check outcomes: one Check per hidden test function with the behaviour it checks, and one for the public cell."""
import pytest

from course_config import COURSE
from coursekit.grading import hidden, pipeline
from coursekit.grading.public import PublicResult
from coursekit.results import Found, TestResult


def _result(test: str, passed: bool, weight: float = 1.0, public: bool = False, status: str = "", message: str = "",
            behaviour: str = "", gid: str = "conv2d") -> TestResult:
    return TestResult("s", gid, test, weight, public, passed, status or ("ok" if passed else "failed"), message,
                      behaviour)


def test_each_hidden_test_function_is_one_check_named_by_its_docstring_with_cases_folded():
    results = [_result("test_matches", True, behaviour="conv2d equals F.conv2d"),
               _result("test_matches", False, message="for stride 2: wrong shape", behaviour="conv2d equals F.conv2d"),
               _result("test_matches", False, message="for padding 1: values differ", behaviour="conv2d equals F.conv2d"),
               _result("test_policy", True, weight=2.0)]
    checks = hidden.summarise(results)[("s", "conv2d")].checks
    assert [c.name for c in checks] == ["conv2d equals F.conv2d", "test_policy"]
    matches, policy = checks
    assert not matches.passed and matches.status == "failed"
    assert matches.message.splitlines() == ["for stride 2: wrong shape", "for padding 1: values differ"]
    hidden_points = COURSE.exercise("conv2d").hidden_points
    assert matches.max_points == pytest.approx(hidden_points * 3 / 5) and matches.points == pytest.approx(hidden_points / 5)
    assert policy.passed and policy.points == policy.max_points == pytest.approx(hidden_points * 2 / 5)


def test_check_points_add_up_to_the_exercises_hidden_score():
    results = [_result("test_a", True), _result("test_b", False, weight=3), _result("test_c", True, weight=0.5)]
    outcome = hidden.summarise(results)[("s", "conv2d")]
    assert sum(c.points for c in outcome.checks) == pytest.approx(outcome.hidden_score, abs=1e-3)
    assert sum(c.max_points for c in outcome.checks) == pytest.approx(outcome.hidden_max)


def test_a_public_recheck_carries_no_hidden_points_and_keeps_the_worst_status():
    results = [_result("test_public_case", False, public=True, status="timeout", message="took longer than 20 s"),
               _result("test_more", True)]
    checks = hidden.summarise(results)[("s", "conv2d")].checks
    assert checks[0].public and checks[0].max_points == 0 and checks[0].status == "timeout"
    assert not checks[1].public and checks[1].max_points == COURSE.exercise("conv2d").hidden_points


def test_two_tests_with_the_same_docstring_line_get_distinct_names():
    results = [_result("test_x", True, behaviour="The public cell's worked case."),
               _result("test_y", True, behaviour="The public cell's worked case.")]
    names = [c.name for c in hidden.summarise(results)[("s", "conv2d")].checks]
    assert names == ["The public cell's worked case. (test_x)", "The public cell's worked case. (test_y)"]


def _found() -> Found:
    return Found("s", {ex.notebook: f"/nowhere/{ex.notebook}.ipynb" for ex in COURSE.exercises})


def test_each_row_starts_with_one_check_for_its_public_test_cell_then_the_hidden_checks():
    outcomes = hidden.summarise([_result("test_matches", True, behaviour="conv2d equals F.conv2d")])
    public = {("s", "conv2d"): PublicResult(passed=True, status="ok")}
    row = next(r for r in pipeline._rows(_found(), public, outcomes, True) if r.grade_id == "conv2d")
    first, second = row.checks
    assert first.public and first.passed and first.name == "The public test in your notebook (test_conv2d)"
    assert first.points == first.max_points == row.public_score == COURSE.exercise("conv2d").public_points
    assert second.name == "conv2d equals F.conv2d"


def test_a_public_test_that_passed_in_the_notebook_but_not_when_rechecked_is_a_failed_check_that_says_so():
    outcomes = hidden.summarise([_result("test_public_case", False, public=True, message="wrong shape")])
    public = {("s", "conv2d"): PublicResult(passed=True, status="ok")}
    row = next(r for r in pipeline._rows(_found(), public, outcomes, True) if r.grade_id == "conv2d")
    assert not row.checks[0].passed and row.checks[0].points == 0 == row.public_score
    assert "passed in your notebook but the same check failed when re-run" in row.checks[0].message


def test_a_notebook_that_could_not_be_read_gives_rows_without_checks():
    found = Found("s", {}, problems={ex.notebook: ("missing", "not submitted") for ex in COURSE.exercises})
    assert all(r.checks == [] and r.status == "missing" for r in pipeline._rows(found, {}, {}, True))
