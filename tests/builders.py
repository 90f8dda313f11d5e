"""Small course notebooks for tests, built with nbformat helpers (never hand-written JSON).

    nb = notebook(markdown("# T1"), setup_cell(), solution_cell("double", "def double(x):", "return 2 * x"),
                  autograder_cell("double", "assert double(2) == 4"))
    course = make_course(tmp_path, {"T1": nb}, exercises=[exercise("double", "T1", ("double",))])
"""
from __future__ import annotations

import contextlib
import json
import os
import textwrap
from dataclasses import replace
from pathlib import Path

import jupytext
import nbformat

from course_config import COURSE, Course, Exercise

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
HELPER = '"""Helper module of a test course."""\n\n\ndef helper_value():\n    return 42\n'


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def markdown(text: str, **metadata):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"), metadata=metadata)


def code(text: str, **metadata):
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"), metadata=metadata)


def setup_cell(text: str = "import math", grade_id: str = "setup_imports"):
    """A locked setup cell (tag "setup") as docs/AUTHORING.md describes it."""
    return code(text, tags=["setup"], deletable=False, editable=False,
                nbgrader=_nbgrader(grade_id, locked=True))


def solution_cell(grade_id: str, signature: str, body: str, docstring: str = '"""Test exercise."""',
                  markers: tuple[str, str] = ("### BEGIN SOLUTION", "### END SOLUTION"), solution: bool = True):
    """`signature` (e.g. "def f(x):") and its docstring outside the markers, `body` (one indent level) inside."""
    indent = "    " if signature.rstrip().endswith(":") else ""
    lines = [signature, indent + docstring] if signature else []
    lines.append(indent + markers[0]) if markers[0] else None
    lines += [indent + ln for ln in textwrap.dedent(body).strip("\n").splitlines()]
    lines.append(indent + markers[1]) if markers[1] else None
    return nbformat.v4.new_code_cell("\n".join(lines),
                                     metadata={"nbgrader": _nbgrader(grade_id, solution=solution)})


def autograder_cell(grade_id: str, asserts: str, points: float = 1, hidden: str | None = None,
              test_id: str | None = None):
    """The locked autograder cell `test_<grade_id>`; `hidden` goes between the hidden-test markers."""
    text = textwrap.dedent(asserts).strip("\n")
    if hidden:
        text += "\n### BEGIN HIDDEN TESTS\n" + textwrap.dedent(hidden).strip("\n") + "\n### END HIDDEN TESTS"
    return code(text, deletable=False, editable=False,
                nbgrader=_nbgrader(test_id or f"test_{grade_id}", grade=True, locked=True, points=points))


def think_cell(grade_id: str, answer: str):
    """A markdown answer cell with the answer between solution markers."""
    return markdown(f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION",
                    nbgrader=_nbgrader(grade_id, solution=True))


def notebook(*cells):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    return nb


def exercise(grade_id: str, nb: str, defines: tuple[str, ...], public: float = 1, hidden: float = 1) -> Exercise:
    return Exercise(grade_id, nb, defines, public, hidden, "tests/hidden/none.py")


def write_twin(folder: Path, name: str, nb) -> Path:
    """Write the py:percent twin of nb into folder; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(jupytext.writes(nb, fmt="py:percent"), encoding="utf-8")
    return path


def make_course(root: Path, notebooks: dict, exercises, intro: str = "Intro", sync: bool = True,
                helper: str | None = HELPER) -> Course:
    """A course in root/ whose source holds the twins (and, with sync, their .ipynb) of `notebooks`.

    `notebooks` maps name -> notebook; the intro is one of them (or absent, to test that error).
    Tutorials are the other names, in order.
    """
    course = replace(COURSE, intro=intro, tutorials=tuple(n for n in notebooks if n != intro),
                     exercises=tuple(exercises), questions=(), source_dir=root / "source", release_dir=root / "release",
                     submitted_dir=root / "submitted", autograded_dir=root / "autograded",
                     feedback_dir=root / "feedback", gradebook=root / ".grading" / "gradebook.db")
    folder = course.source_dir / course.assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        write_twin(folder, name, nb)
    if helper is not None:
        (folder / course.helper_module).write_text(helper, encoding="utf-8")
    if sync:
        from coursekit.authoring.sync import sync as do_sync

        do_sync(course, names=tuple(notebooks))
    return course


def intro_notebook():
    return notebook(markdown("# Intro\nThe day's overview."), code("print('hello')"))


def tutorial_notebook():
    """A valid graded tutorial: setup, two exercises with public and hidden tests, a think answer."""
    return notebook(
        markdown("# Tutorial 1\n## Setup"),
        setup_cell("import math"),
        solution_cell("double", "def double(x):", "result = 2 * x  # secret doubling\nreturn result",
                      docstring='"""Return 2 * x (a float)."""'),
        autograder_cell("double", "assert double(2) == 4, 'double(2) should be 4'",
                  hidden="assert double(-3.5) == -7.0, 'hidden negative case'"),
        code("class Scaler:\n    \"\"\"Scale by a factor.\"\"\"\n\n    def __init__(self, k):\n"
             "        self.k = k\n\n    def apply(self, x):\n        \"\"\"x * k.\"\"\"\n"
             "        ### BEGIN SOLUTION\n        return x * self.k  # secret scaling\n        ### END SOLUTION",
             nbgrader=_nbgrader("scaler", solution=True)),
        autograder_cell("scaler", "assert Scaler(3).apply(2) == 6, 'Scaler(3).apply(2) should be 6'", points=2),
        markdown("Think: why double?"),
        think_cell("think_1_answer", "Because doubling is the secret answer to think 1."),
    )


def tutorial_exercises(nb_name: str = "T1"):
    return [exercise("double", nb_name, ("double",)), exercise("scaler", nb_name, ("Scaler",), public=2)]


def valid_course(root: Path, **kw) -> Course:
    return make_course(root, {"Intro": intro_notebook(), "T1": tutorial_notebook()}, tutorial_exercises(), **kw)


def cells_json(nb) -> str:
    return json.dumps([c.source for c in nb.cells])


@contextlib.contextmanager
def fork_server(cell_seconds: float):
    """A real ForkServer whose children's per-cell alarm is cell_seconds; the environment is restored after."""
    from coursekit.isolation.forkserver import ForkServer

    before = os.environ.get("COURSEKIT_CELL_SECONDS")
    os.environ["COURSEKIT_CELL_SECONDS"] = str(cell_seconds)  # the child's per-cell alarm
    try:
        with ForkServer() as srv:
            yield srv
    finally:
        if before is None:
            os.environ.pop("COURSEKIT_CELL_SECONDS", None)
        else:
            os.environ["COURSEKIT_CELL_SECONDS"] = before


# Student code for a helper process fed through pipes: length-prefixed pickles on jobs_* (to it) and results_*
# (back).  Tests of the exercise rules fork a worker that serves it and hand it the forbidden work.
PIPE_PROTOCOL = """import os
import pickle

import numpy as np


def send(fd, value):
    data = pickle.dumps(value)
    os.write(fd, len(data).to_bytes(8, "little") + data)


def receive(fd):
    size, data = int.from_bytes(os.read(fd, 8), "little"), b""
    while len(data) < size:
        data += os.read(fd, size - len(data))
    return pickle.loads(data)


jobs_r, jobs_w = os.pipe()
results_r, results_w = os.pipe()
"""
