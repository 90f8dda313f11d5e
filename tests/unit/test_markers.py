"""Solution/hidden-test markers and named stubs (coursekit.notebook)."""
import pytest

from coursekit import notebook as nbk
from coursekit.notebook import NotebookError
from tests.builders import autograder_cell, notebook, solution_cell

WHERE = "T1.py, cell 3 (grade_id 'double')"


def src(*lines):
    return "\n".join(lines)


def test_regions_finds_solution_and_hidden_regions():
    text = src("def f(x):", "    ### BEGIN SOLUTION", "    return x", "    ### END SOLUTION",
               "### BEGIN HIDDEN TESTS", "assert f(1) == 1", "### END HIDDEN TESTS")
    found = nbk.regions(text, WHERE)
    assert [(r.begin, r.end, r.kind) for r in found] == [(1, 3, nbk.BEGIN_SOLUTION), (4, 6, nbk.BEGIN_HIDDEN)]


@pytest.mark.parametrize("text, words", [
    (src("### BEGIN SOLUTION", "x = 1"), ["never closed", "line 1"]),
    (src("### BEGIN SOLUTION", "### BEGIN SOLUTION", "### END SOLUTION"), ["nested", "line 2"]),
    (src("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"), ["nested"]),
    (src("x = 1", "### END SOLUTION"), ["no matching", "line 2"]),
    (src("### BEGIN SOLUTION", "### END HIDDEN TESTS"), ["no matching"]),
])
def test_bad_markers_name_the_cell_and_line(text, words):
    with pytest.raises(NotebookError) as err:
        nbk.regions(text, WHERE)
    assert WHERE in str(err.value)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("line", ["# BEGIN SOLUTION", "### BEGIN SOLUTION  # the answer", "## END SOLUTION",
                                  "print('### BEGIN HIDDEN TESTS')"])
def test_near_miss_markers_are_rejected(line):
    with pytest.raises(NotebookError, match="exact marker") as err:
        nbk.strict_regions(src("x = 1", line), WHERE)
    assert WHERE in str(err.value) and "line 2" in str(err.value)


def test_strict_regions_accepts_indented_exact_markers():
    assert len(nbk.strict_regions(src("def f():", "    ### BEGIN SOLUTION", "    pass", "    ### END SOLUTION"),
                                  WHERE)) == 1


def test_solution_lines_and_strip_markers():
    text = src("def f(x):", '    """Doc."""', "    ### BEGIN SOLUTION", "    y = x + 1", "", "    return y",
               "    ### END SOLUTION")
    assert nbk.solution_lines(text, WHERE) == ["    y = x + 1", "    return y"]
    assert nbk.strip_markers(text) == src("def f(x):", '    """Doc."""', "    y = x + 1", "", "    return y")


@pytest.mark.parametrize("lines, index, name", [
    (["def f(x):", '    """doc"""', "    ### BEGIN SOLUTION"], 2, "f"),
    (["class Net:", "    def forward(self, r):", "        ### BEGIN SOLUTION"], 2, "Net.forward"),
    (["class Net:", "    def __init__(self, n,", "                 m):", "        super().__init__()",
      "        ### BEGIN SOLUTION"], 4, "Net.__init__"),
    (["def f(x):", "    for i in x:", "        # comment", "        ### BEGIN SOLUTION"], 3, "f"),
    (["def f(x):", "    return x", "### BEGIN SOLUTION"], 2, None),
])
def test_enclosing_name(lines, index, name):
    assert nbk.enclosing_name(lines, index) == name


def test_stub_names_the_exercise_and_function():
    comment, raise_line = nbk.stub_lines("conv2d", "conv2d")
    assert comment == "# YOUR CODE HERE"
    assert raise_line == ('raise NotImplementedError("Exercise conv2d: implement conv2d — '
                          'replace this line with your code")')
    compile(raise_line, "<stub>", "exec")
    assert "write your solution here" in nbk.stub_message("rdm", None)


def test_duplicate_grade_id_names_both_cells():
    nb = notebook(solution_cell("double", "def double(x):", "return 2 * x"),
                  autograder_cell("double", "assert True"),
                  solution_cell("double", "def double2(x):", "return 2 * x"))
    with pytest.raises(NotebookError) as err:
        nbk.cells_by_grade_id(nb, "T1.py")
    assert "T1.py" in str(err.value) and "cell 1" in str(err.value) and "cell 3" in str(err.value)


def test_describe_names_file_cell_and_grade_id():
    nb = notebook(solution_cell("double", "def double(x):", "return 2 * x"))
    assert nbk.describe("source/W2D1/T1.py", 0, nb.cells[0]) == "T1.py, cell 1 (grade_id 'double')"
