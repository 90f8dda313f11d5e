"""Fixtures of the hidden suites: `reference` and `student` handles, supplied by coursekit.grading.hidden.

Run through `python -m coursekit grade` (or `python -m coursekit.grading.hidden` while
writing a suite).  Run directly with pytest, `student` is the reference itself,
so a suite can be checked to pass on the instructor's solution.
"""
import pytest

from course_config import COURSE
from coursekit.grading import hidden


def _notebook(request) -> str:
    return COURSE.exercise(hidden.exercise_of(request.node)).notebook


@pytest.fixture
def reference(request):
    return hidden.reference_handle(_notebook(request))


@pytest.fixture(scope="session")
def student_id():
    """Overridden by the grading runner, which parametrizes every test over the submissions."""
    return "reference"


@pytest.fixture
def student(request, student_id):
    plugin = next((p for p in request.config.pluginmanager.get_plugins()
                   if isinstance(p, hidden.HiddenPlugin)), None)
    if plugin is None:
        return hidden.reference_handle(_notebook(request))
    return plugin.student_handle(student_id, _notebook(request))
