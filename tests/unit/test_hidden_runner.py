"""The hidden-suite runner: results are the same whether a test runs through pytest's protocol or directly."""
from __future__ import annotations

import textwrap
from dataclasses import astuple

import pytest

from coursekit.authoring import banks
from coursekit.grading import hidden
from coursekit.isolation.probe import ProbeError


def _absent(open_handle):
    """A class with one more student, whose notebooks are all missing."""

    def factory(student_id, notebook):
        if student_id == "absent":
            err = ProbeError("notebook not submitted")
            err.status = "missing"
            raise err
        return open_handle(student_id, notebook)

    return factory


def _run_both(ids, open_handle, **kwargs):
    lean = hidden.run(ids, open_handle, lean=True, **kwargs)
    full = hidden.run(ids, open_handle, lean=False, **kwargs)
    return [astuple(r) for r in lean], [astuple(r) for r in full]


def test_direct_runs_match_pytest_protocol_on_right_wrong_and_missing_submissions():
    selected = [e for gid in ("conv2d", "rdm") for kind in ("wrong", "correct")
                for e in [e for e in banks.entries([gid]) if e.kind == kind][:2]]
    ids = [e.name for e in selected] + ["absent"]
    lean, full = _run_both(ids, _absent(banks.in_process_handles(selected)), only={"conv2d", "rdm"})
    assert lean == full
    statuses = {r[6] for r in lean}
    assert {"ok", "failed", "missing"} <= statuses
    assert all(not r[5] for r in lean if r[0] == "absent")


SUITE = '''
import pytest
from tests.hidden.conftest import reference, student, student_id  # noqa: F401 - the grader's fixtures


@pytest.fixture
def limit():
    return 0.5


@pytest.mark.exercise("relu_layer")
def test_plain(student):
    assert False, "plain message"


@pytest.mark.exercise("relu_layer")
def test_own_fixture(student, limit):
    assert limit > 1, "fixture message"


@pytest.mark.exercise("relu_layer")
@pytest.mark.skipif(True, reason="never runs")
def test_skipped(student):
    raise AssertionError("ran although skipped")


@pytest.mark.exercise("relu_layer")
@pytest.mark.weight(2)
@pytest.mark.parametrize("k", [1, 2])
def test_param(student, reference, k):
    assert k == 1, f"k was {k}"


@pytest.mark.exercise("relu_layer")
def test_grader_bug(student):
    {}["missing"]
'''


def test_tests_with_their_own_fixtures_or_skip_markers_run_through_pytest_and_are_recorded(tmp_path):
    suite = tmp_path / "test_suite.py"
    suite.write_text(textwrap.dedent(SUITE))

    def open_handle(student_id, notebook):
        return hidden.reference_handle(notebook)

    lean, full = _run_both(["s1", "s2"], open_handle, suites=[suite])
    assert lean == full
    got = {(r[0], r[2], r[5], r[6], r[7]) for r in lean}
    for sid in ("s1", "s2"):
        assert (sid, "test_plain", False, "failed", "plain message") in got
        assert (sid, "test_own_fixture", False, "failed", "fixture message") in got
        assert (sid, "test_grader_bug", False, "error",
                "grader error in test_grader_bug: KeyError; please tell your TA") in got
        assert sorted((r[3], r[5]) for r in lean if r[0] == sid and r[2] == "test_param") == [(2.0, False),
                                                                                            (2.0, True)]
    assert not [r for r in lean if r[2] == "test_skipped"]


@pytest.mark.parametrize("lean", [True, False])
def test_a_failing_fixture_is_the_reason_of_every_test_that_needs_it(lean):
    def open_handle(student_id, notebook):
        err = ProbeError("your notebook could not be read: not JSON")
        err.status = "error"
        raise err

    results = hidden.run(["s1"], open_handle, only={"relu_layer"}, lean=lean)
    assert results and all(not r.passed and r.status == "error" for r in results)
    assert {r.message for r in results} == {"your notebook could not be read: not JSON"}
