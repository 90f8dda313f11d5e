"""The grader finds a student's code the way a reader would, whatever editor saved the notebook.

Notebooks are the real release filled with the reference answers (simulate.fill), then edited as a student
or an editor would edit them; the compatibility bank (tests/compat/editors.py) saves them as each editor does.
"""
from __future__ import annotations

import copy
import sys
from dataclasses import replace

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from course_config import COURSE
from coursekit import notebook as nbk
from coursekit.authoring import simulate
from coursekit.grading import hidden, public
from coursekit.grading import submission as sub
from coursekit.isolation.probe import InProcess
from coursekit.results import Found
from tests.builders import fork_server
from tests.compat.editors import EDITORS, HELPER, has_grade_ids

T1, T2 = "W2D1_Tutorial1", "W2D1_Tutorial2"


def filled(name: str = T1):
    return simulate.fill(name, simulate.reference_answers(name))


def index_of(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if nbk.grade_id(c) == grade_id)


def solutions(nb, name: str = T1) -> dict[str, str]:
    """grade_id -> the normalized code of all the cells read as that exercise's solution."""
    out: dict[str, list[str]] = {}
    for c in sub.read_cells(nb, sub.release_notebook(name)):
        if c.role == sub.SOLUTION:
            out.setdefault(c.grade_id, []).append(sub.normalized(c.source))
    return {gid: "\n\n".join(parts) for gid, parts in out.items()}


def reference(name: str = T1) -> dict[str, str]:
    return {gid: sub.normalized(src) for gid, src in simulate.reference_answers(name).items()}


def nonblank(code: str) -> str:
    """Code without its blank lines (a split trims them), for comparing cells across editors."""
    return "\n".join(ln for ln in code.split("\n") if ln.strip())


def strip(cell) -> None:
    cell.metadata = {}
    cell.pop("id", None)


# ------------------------------------------------------------------------------------------ editor formats

@pytest.fixture(scope="module")
def saved():
    """format -> notebook name -> (file text, notebook read from it)."""
    out = {}
    for fmt, build in EDITORS.items():
        out[fmt] = {}
        for name in COURSE.tutorials:
            text = build(name)
            out[fmt][name] = (text, nbformat.reads(text, as_version=4))
    return out


@pytest.mark.parametrize("fmt", EDITORS)
def test_every_editor_format_is_a_valid_notebook_whose_answers_are_all_found(saved, fmt):
    for name in COURSE.tutorials:
        _, nb = saved[fmt][name]
        nbformat.validate(nb)
        found = solutions(nb, name)
        assert set(found) == set(reference(name)), (fmt, name)
        for gid, code in reference(name).items():
            assert nonblank(code) in nonblank(found[gid]), (fmt, gid)


@pytest.mark.parametrize("fmt", EDITORS)
def test_no_editor_format_makes_a_test_cell_look_tampered(saved, fmt):
    for name in COURSE.tutorials:
        assert public.tampering(saved[fmt][name][1], sub.release_notebook(name)) == {}, (fmt, name)


@pytest.mark.parametrize("fmt", EDITORS)
def test_nbgrader_reads_every_editor_format_with_each_grade_id_once(saved, fmt):
    for name in COURSE.tutorials:
        release = sub.release_notebook(name)
        restored = sub.restore_metadata(saved[fmt][name][1], release)
        MetadataValidator().validate_nb(restored)
        nbformat.validate(restored)
        ids = [nbk.grade_id(c) for c in restored.cells if nbk.grade_id(c)]
        assert sorted(ids) == sorted(nbk.grade_id(c) for c in release.cells if nbk.grade_id(c)), (fmt, name)


def test_the_bank_covers_an_editor_that_drops_nbgrader_metadata(saved):
    assert not has_grade_ids(saved["colab"][T1][0]) and has_grade_ids(saved["vscode"][T1][0])
    assert saved["colab"][T1][1].nbformat_minor == 0 and "\r\n" in saved["crlf"][T1][0]


def test_every_editor_format_gets_full_hidden_marks(saved):
    """The hidden suites, run in this process on each format as a student of its own (about 20 s)."""
    results = hidden.run(list(saved), lambda fmt, name: InProcess(sub.student_cells(name, saved[fmt][name][1])))
    outcomes = hidden.summarise(results)
    assert len(outcomes) == len(saved) * len(COURSE.exercises)
    lost = {key: o.messages for key, o in outcomes.items() if o.hidden_score < o.hidden_max or not o.public_confirmed}
    assert lost == {}


# ---------------------------------------------------------------------------------------- student edits

def test_a_renamed_grade_id_still_finds_the_solution_and_nbgrader_gets_the_real_one():
    nb = filled()
    i = index_of(nb, "mse_loss")
    nb.cells[i].metadata["nbgrader"]["grade_id"] = "cell-8f2c1a7e"  # as the create-assignment extension names cells
    assert solutions(nb)["mse_loss"] == reference()["mse_loss"]
    restored = sub.restore_metadata(nb, sub.release_notebook(T1))
    assert nbk.grade_id(restored.cells[i]) == "mse_loss"
    assert "cell-8f2c1a7e" not in {nbk.grade_id(c) for c in restored.cells}


def test_a_solution_stripped_of_metadata_and_id_is_found_by_its_place():
    nb = filled()
    strip(nb.cells[index_of(nb, "train")])
    nb.cells[index_of(nb, "deepnet_relu")].source = "x = 1  # defines no exercise name"
    strip(nb.cells[index_of(nb, "deepnet_relu")])
    read = {c.number: c for c in sub.read_cells(nb, sub.release_notebook(T1))}
    assert read[12].role == sub.SOLUTION and read[12].grade_id == "deepnet_relu"  # between its neighbours
    assert solutions(nb)["train"] == reference()["train"]


def test_a_solution_split_into_cells_keeps_every_part():
    nb = filled()
    i = index_of(nb, "linear_layer")
    forward, backward = simulate.reference_answers(T1)["linear_layer"].split("\ndef linear_backward")
    nb.cells[i].source = forward
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("def linear_backward" + backward))
    parts = [c for c in sub.read_cells(nb, sub.release_notebook(T1)) if c.grade_id == "linear_layer"]
    assert [p.label for p in parts] == ["linear_layer", "linear_layer part 2"]
    assert all(p.runs for p in parts)


def test_two_solutions_merged_into_one_cell_both_run_and_nbgrader_gets_a_stand_in():
    nb = filled()
    i, j = index_of(nb, "linear_layer"), index_of(nb, "relu_layer")
    nb.cells[i].source += "\n\n" + nb.cells[j].source
    del nb.cells[j]
    code = [src for label, src in sub.student_cells(T1, nb)]
    assert any("def linear_forward" in s and "def relu_backward" in s for s in code)
    restored = sub.restore_metadata(nb, sub.release_notebook(T1))
    stand_in = restored.cells[index_of(restored, "relu_layer")]
    assert nbk.is_solution(stand_in) and stand_in.source.startswith("#")
    assert index_of(restored, "relu_layer") < index_of(restored, "test_relu_layer")


def test_a_stripped_solution_moved_to_the_end_is_found_by_the_names_it_defines():
    nb = filled()
    cell = nb.cells.pop(index_of(nb, "mse_loss"))
    strip(cell)
    nb.cells.append(cell)
    assert solutions(nb)["mse_loss"] == reference()["mse_loss"]


def test_an_answer_pasted_below_the_untouched_stub_runs_after_it():
    nb = filled()
    i = index_of(nb, "train")
    nb.cells[i].source = sub.release_notebook(T1).cells[i].source  # the stub, as released
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(simulate.reference_answers(T1)["train"]))
    labels = [label for label, _ in sub.student_cells(T1, nb)]
    assert labels.index("train") < labels.index("train part 2")


def test_instructor_cells_do_not_run_but_their_definitions_do_and_edited_ones_do():
    nb = filled(T2)
    labels = dict(sub.student_cells(T2, nb))
    assert not any("grating(" in src or "plt." in src for src in labels.values())  # no plots, no data
    given = [src for label, src in labels.items() if label.startswith("given ")]
    assert any("def conv_output_size" in src for src in given)  # a helper the student may call
    assert any("import matplotlib.pyplot as plt" in src for src in given)  # and what those cells import
    k = next(i for i, c in enumerate(nb.cells) if c.source.startswith("orientations = "))
    nb.cells[k].source += "\nprint('my own plot')"
    changed = [c for c in sub.read_cells(nb, sub.release_notebook(T2)) if c.role == sub.CHANGED]
    assert [c.number for c in changed] == [k + 1] and changed[0].runs


def test_an_edited_test_cell_never_runs_in_the_child_and_is_still_tampered():
    nb = filled()
    i = index_of(nb, "test_mse_loss")
    nb.cells[i].source = "pass  # trust me"
    assert all("trust me" not in src for _, src in sub.student_cells(T1, nb))
    assert set(public.tampering(nb, sub.release_notebook(T1))) == {"test_mse_loss"}


def test_a_copied_test_cell_is_not_tampering_and_nbgrader_keeps_one_grade_id():
    nb = filled()
    i = index_of(nb, "test_relu_layer")
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    nb.cells[i + 1]["id"] = "a-copy"
    assert public.tampering(nb, sub.release_notebook(T1)) == {}
    restored = sub.restore_metadata(nb, sub.release_notebook(T1))
    assert [nbk.grade_id(c) for c in restored.cells].count("test_relu_layer") == 1


def test_an_added_helper_cell_runs_as_the_students():
    nb = filled()
    nb.cells.insert(3, nbformat.v4.new_code_cell(HELPER))
    added = [c for c in sub.read_cells(nb, sub.release_notebook(T1)) if c.role == sub.ADDED]
    assert [c.number for c in added] == [4] and added[0].first_line == "def _shape(x):"
    assert ("added cell 4", HELPER) in sub.student_cells(T1, nb)  # the feedback page lists cells by this label


# -------------------------------------------------------------------------------- the student's own errors

LIMITS = replace(COURSE.limits, cell_seconds=1.0, probe_seconds=10.0)


@pytest.fixture(scope="module")
def server():
    with fork_server(LIMITS.cell_seconds) as srv:
        yield srv


def probe_forward_shape(ns):
    return list(ns["DeepNetReLU"](3, 2)(torch.zeros(4, 3)).shape)  # noqa: F821 - probes get torch as a global


def probe_helper(ns):
    return ns["doubled"](3)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only")
def test_added_cells_that_raise_or_hang_cost_nothing_and_are_reported_by_number(server):
    from coursekit.grading.pipeline import _cell_problems
    from coursekit.isolation.handle import StudentSandbox

    nb = filled()
    nb.cells.insert(10, nbformat.v4.new_code_cell("# look at the data\nprint(resp_train.shape)\n\n"
                                                  "def doubled(x):\n    return 2 * x"))
    nb.cells.insert(11, nbformat.v4.new_code_cell("while True:\n    pass"))
    plan = sub.student_plan(T1, nb)
    box = StudentSandbox(server, {T1: [(label, src) for _, label, src in plan]}, LIMITS)
    handle = box.handle(T1)
    try:
        assert handle.run(probe_forward_shape) == [4, 1]  # the solution still works
        assert handle.run(probe_helper) == 6  # and what the raising cell defines below its error exists
    finally:
        handle.close()
    problems = _cell_problems(Found("Zoë Ünal", {}, slug="zoe-unal-1"), box, {T1: plan})
    assert [(p.cell, p.first_line, p.exc_type) for p in problems] == [
        (11, "# look at the data", "NameError"), (12, "while True:", "CellTimeout")]
    assert "resp_train" in problems[0].message and problems[0].student_id == "Zoë Ünal"


def test_a_copied_instructor_cell_does_not_run_in_the_child():
    nb = filled(T2)
    k = next(i for i, c in enumerate(nb.cells) if c.source.startswith("orientations = "))
    nb.cells.insert(k + 1, copy.deepcopy(nb.cells[k]))
    nb.cells[k + 1]["id"] = "copied-plot"
    assert not [c for c in sub.read_cells(nb, sub.release_notebook(T2)) if c.runs and c.role != sub.SOLUTION]


def test_a_cell_that_raises_still_defines_what_comes_after_the_failing_line():
    from coursekit.isolation import child
    from coursekit.isolation import probe as pr

    source = "def before():\n    return 1\nprint(resp_train.shape)\nimport math\n\ndef after():\n    return 2\nz = 3"
    with pytest.raises(NameError) as caught:
        pr.exec_cell(pr.Namespace(), source, "added cell 5")
    rest = child.definitions_after(source, "added cell 5", caught.value)
    assert rest.splitlines() == ["", "", "", "import math", "", "def after():", "    return 2"]
