"""Bad source input gets a clear NotebookError naming notebook and cell, before nbgrader runs; twins stay in sync."""
import os
import re

import nbformat
import pytest

from coursekit.authoring import release as rel
from coursekit.authoring import student_copy
from coursekit.authoring import sync as sy
from coursekit.notebook import NotebookError
from tests.builders import (autograder_cell, code, exercise, intro_notebook, make_course, markdown, notebook,
                            setup_cell, solution_cell, tutorial_exercises, tutorial_notebook, valid_course,
                            write_twin)


def tutorial(*extra, drop=()):
    """The valid builder tutorial, without the cells whose grade_id is in `drop`, plus `extra` cells."""
    nb = tutorial_notebook()
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in drop] + list(extra)
    return nb


def course_of(tmp_path, t1, exercises=None, intro=None):
    return make_course(tmp_path, {"Intro": intro or intro_notebook(), "T1": t1},
                       exercises if exercises is not None else tutorial_exercises())


def problem(course) -> str:
    with pytest.raises(NotebookError) as err:
        rel.validate(course)
    return str(err.value)


def test_valid_course_passes(tmp_path):
    notebooks = rel.validate(valid_course(tmp_path))
    assert set(notebooks) == {"Intro", "T1"}


def test_unclosed_marker(tmp_path):
    bad = solution_cell("half", "def half(x):", "return x / 2", markers=("### BEGIN SOLUTION", None))
    msg = problem(course_of(tmp_path, tutorial(bad), tutorial_exercises() + [exercise("half", "T1", ("half",))]))
    assert re.search(r"T1\.py, cell \d+ \(grade_id 'half'\)", msg) and "never closed" in msg


def test_nested_markers(tmp_path):
    bad = solution_cell("half", "def half(x):", "### BEGIN SOLUTION\nreturn x / 2\n### END SOLUTION")
    msg = problem(course_of(tmp_path, tutorial(bad), tutorial_exercises() + [exercise("half", "T1", ("half",))]))
    assert "T1.py, cell" in msg and "'half'" in msg and "nested" in msg


def test_near_miss_marker(tmp_path):
    bad = solution_cell("half", "def half(x):", "return x / 2", markers=("# BEGIN SOLUTION", "### END SOLUTION"))
    msg = problem(course_of(tmp_path, tutorial(bad), tutorial_exercises() + [exercise("half", "T1", ("half",))]))
    assert "T1.py, cell" in msg and "'half'" in msg and "exact marker" in msg


def test_registry_grade_id_without_cell(tmp_path):
    msg = problem(course_of(tmp_path, tutorial(drop=("scaler", "test_scaler"))))
    assert "T1.py" in msg and "no solution cell with grade_id 'scaler'" in msg


def test_duplicate_grade_id(tmp_path):
    dup = solution_cell("double", "def double_again(x):", "return x + x")
    msg = problem(course_of(tmp_path, tutorial(dup)))
    assert "T1.py" in msg and "grade_id 'double' is used by cell 3 and cell 9" in msg


def test_notebook_missing_from_source(tmp_path):
    course = course_of(tmp_path, tutorial())
    for path in sy.paths("T1", course):
        path.unlink()
    msg = problem(course)
    assert "T1: notebook missing from source" in msg


def test_twin_missing(tmp_path):
    course = course_of(tmp_path, tutorial())
    sy.paths("T1", course)[0].unlink()
    msg = problem(course)
    assert "T1.py" in msg and "twin is missing" in msg


def test_test_cell_missing(tmp_path):
    msg = problem(course_of(tmp_path, tutorial(drop=("test_double",))))
    assert re.search(r"T1\.py, cell \d+ \(grade_id 'double'\)", msg) and "'test_double' is missing" in msg


def test_solution_cell_not_in_registry(tmp_path):
    extra = solution_cell("triple", "def triple(x):", "return 3 * x")
    msg = problem(course_of(tmp_path, tutorial(extra)))
    assert re.search(r"T1\.py, cell \d+ \(grade_id 'triple'\)", msg) and "not in course_config.EXERCISES" in msg


def test_solution_region_in_plain_cell(tmp_path):
    extra = code("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION")
    msg = problem(course_of(tmp_path, tutorial(extra)))
    assert re.search(r"T1\.py, cell \d+:", msg) and "not an nbgrader solution cell" in msg


def test_points_differ_from_registry(tmp_path):
    exercises = [exercise("double", "T1", ("double",), public=3), exercise("scaler", "T1", ("Scaler",), public=2)]
    msg = problem(course_of(tmp_path, tutorial(), exercises))
    assert "(grade_id 'test_double')" in msg and "has 1 point but course_config gives 3 points" in msg


def test_solution_must_define_registered_names(tmp_path):
    exercises = [exercise("double", "T1", ("double", "undouble")), exercise("scaler", "T1", ("Scaler",), public=2)]
    msg = problem(course_of(tmp_path, tutorial(), exercises))
    assert "(grade_id 'double')" in msg and "must define undouble" in msg


def test_intro_has_no_graded_cells(tmp_path):
    intro = notebook(markdown("# Intro"), solution_cell("quiz", "def quiz():", "return 1"))
    msg = problem(course_of(tmp_path, tutorial(), intro=intro))
    assert "Intro.py, cell 2 (grade_id 'quiz')" in msg and "not graded" in msg


def test_all_problems_are_listed_together(tmp_path):
    course = course_of(tmp_path, tutorial(drop=("test_double",)))
    sy.paths("Intro", course)[0].unlink()
    sy.paths("Intro", course)[1].unlink()
    msg = problem(course)
    assert msg.startswith("2 problems") and "Intro: notebook missing" in msg and "'test_double' is missing" in msg


def test_cli_prints_message_and_exits_2(tmp_path, capsys):
    course = course_of(tmp_path, tutorial(drop=("test_double",)))
    assert rel.main(course=course) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "'test_double' is missing" in err and "Traceback" not in err
    assert not course.release_dir.exists(), "nothing may be written when validation fails"


def test_nbgrader_preprocessors_match_installed_nbgrader():
    from nbgrader.converters.generate_assignment import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    defaults = GenerateAssignment.class_traits()["preprocessors"].default()
    expected = ["coursekit.authoring.stubs.NamedStubs" if pp is ClearSolutions else f"nbgrader.preprocessors.{pp.__name__}"
                for pp in defaults]
    assert list(rel.PREPROCESSORS) == expected


def test_named_stubs_preprocessor():
    from coursekit.authoring.stubs import NamedStubs

    stubs = NamedStubs()
    cell = tutorial_notebook().cells[4]  # Scaler, a region inside a method
    cell, _ = stubs.preprocess_cell(cell, {"language": "python"}, 4)
    assert 'raise NotImplementedError("Exercise scaler: implement Scaler.apply' in cell.source
    assert "secret scaling" not in cell.source and "def apply(self, x):" in cell.source


def test_nbgrader_ignores_the_twins():
    ignore = student_copy.nbgrader_settings().CourseDirectory.ignore
    for twin in rel.COURSE.twin_names():
        assert twin in ignore


def test_think_answers_are_cleared_for_nbgrader():
    cell = tutorial_notebook().cells[-1]
    assert student_copy.is_ungraded_answer(cell)
    student_copy.clear_ungraded_answer(cell)
    assert cell.source == "YOUR ANSWER HERE" and "nbgrader" not in cell.metadata


# ---- sync: the twin wins, deterministically

def test_sync_check_reports_drift_and_sync_repairs_it(tmp_path):
    course = valid_course(tmp_path)
    py, ipynb = sy.paths("T1", course)
    assert sy.sync(course, check=True) == []
    py.write_text(py.read_text().replace("Think: why double?", "Think: why twice?"))
    with pytest.raises(NotebookError) as err:
        sy.sync(course, check=True)
    assert "T1.ipynb" in str(err.value) and "make sync" in str(err.value) and "Intro" not in str(err.value)
    assert sy.sync(course) == [ipynb]
    assert "why twice" in ipynb.read_text() and sy.sync(course, check=True) == []


def test_sync_keeps_cell_ids_and_strips_outputs(tmp_path):
    course = valid_course(tmp_path)
    py, ipynb = sy.paths("T1", course)
    nb = nbformat.read(str(ipynb), as_version=4)
    ids = [c.id for c in nb.cells]
    assert ids[1:3] == ["setup_imports", "double"], "new nbgrader cells get their grade_id as id"
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nb.cells[2].execution_count = 3
    nbformat.write(nb, str(ipynb))
    edited = tutorial_notebook()
    edited.cells[0].source += "\nMore words."  # an edited cell keeps its id
    edited.cells.insert(1, markdown("A new cell."))
    write_twin(py.parent, "T1", edited)
    sy.sync(course)
    after = nbformat.read(str(ipynb), as_version=4)
    assert [c.id for c in after.cells] == [ids[0], after.cells[1].id, *ids[1:]]
    assert after.cells[3].outputs == [] and after.cells[3].execution_count is None
    again = sy.render(py, None)
    assert after.cells[1].id == again.cells[1].id, "ids of new cells depend only on their content"


def test_sync_refuses_to_drop_edits_made_in_the_notebook(tmp_path):
    course = valid_course(tmp_path)
    py, ipynb = sy.paths("T1", course)
    nb = nbformat.read(str(ipynb), as_version=4)
    nb.cells[0].source = "# Edited in Jupyter"
    nbformat.write(nb, str(ipynb))
    os.utime(py, (1, 1))
    with pytest.raises(NotebookError, match="edited after its twin"):
        sy.sync(course)
    assert "Edited in Jupyter" in ipynb.read_text()
    sy.sync(course, force=True)
    assert "Edited in Jupyter" not in ipynb.read_text()


def test_sync_creates_a_missing_notebook(tmp_path):
    course = make_course(tmp_path, {"Intro": intro_notebook(), "T1": tutorial_notebook()}, tutorial_exercises(),
                         sync=False)
    with pytest.raises(NotebookError, match="missing or unreadable"):
        sy.sync(course, check=True)
    assert len(sy.sync(course)) == 2
    assert sy.paths("T1", course)[1].read_text() == sy.ipynb_text(sy.render(sy.paths("T1", course)[0]))


def test_setup_and_plain_builders_roundtrip(tmp_path):
    nb = notebook(markdown("# X"), setup_cell("import os"), autograder_cell("x", "assert True", points=2))
    py = write_twin(tmp_path, "X", nb)
    back = sy.render(py)
    assert [c.metadata.get("nbgrader") for c in back.cells] == [c.metadata.get("nbgrader") for c in nb.cells]
