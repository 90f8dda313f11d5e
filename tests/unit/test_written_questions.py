"""Written (think) questions: each registered one is a markdown cell graded by hand with course_config's points.

A TA scores them in formgrader or manual_scores.csv, so the notebooks and the
registry must agree before nbgrader runs; every disagreement names the cell.
"""
from dataclasses import replace

import pytest

from course_config import COURSE, Question
from coursekit.authoring import release as rel
from coursekit.notebook import NotebookError
from tests.builders import _nbgrader, intro_notebook, make_course, markdown, tutorial_exercises, tutorial_notebook


def answer_cell(grade_id: str = "think_1_answer", points: float | None = 1, grade: bool = True):
    return markdown("### BEGIN SOLUTION\nShared weights.\n### END SOLUTION",
                    nbgrader=_nbgrader(grade_id, grade=grade, solution=True, points=points))


def course_with(tmp_path, cell, questions):
    nb = tutorial_notebook()
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "think_1_answer"]
    nb.cells += [cell] if cell is not None else []
    course = make_course(tmp_path, {"Intro": intro_notebook(), "T1": nb}, tutorial_exercises())
    return replace(course, questions=tuple(questions))


def problem(course) -> str:
    with pytest.raises(NotebookError) as err:
        rel.validate(course)
    return str(err.value)


def test_a_registered_question_graded_by_hand_with_its_points_passes(tmp_path):
    assert "T1" in rel.validate(course_with(tmp_path, answer_cell(points=2), [Question("think_1_answer", "T1", 2)]))


def test_zero_points_are_allowed(tmp_path):
    rel.validate(course_with(tmp_path, answer_cell(points=0), [Question("think_1_answer", "T1", 0)]))


def test_points_that_differ_from_the_registry_name_both(tmp_path):
    text = problem(course_with(tmp_path, answer_cell(points=2), [Question("think_1_answer", "T1", 1)]))
    assert "think_1_answer" in text and "2 points" in text and "QUESTIONS" in text


def test_a_hand_graded_answer_cell_missing_from_the_registry_is_named(tmp_path):
    text = problem(course_with(tmp_path, answer_cell(), []))
    assert "think_1_answer" in text and "course_config.QUESTIONS" in text


def test_a_registered_question_without_its_answer_cell_is_named(tmp_path):
    text = problem(course_with(tmp_path, None, [Question("think_1_answer", "T1", 1)]))
    assert "think_1_answer" in text and "no markdown answer cell" in text


def test_a_registered_question_left_ungraded_is_refused(tmp_path):
    text = problem(course_with(tmp_path, answer_cell(grade=False, points=None), [Question("think_1_answer", "T1", 1)]))
    assert "think_1_answer" in text and '"grade": true' in text


def test_the_course_registry_matches_the_source_notebooks():
    rel.validate(COURSE)  # every QUESTIONS row has its hand-graded cell with the same points, and back
