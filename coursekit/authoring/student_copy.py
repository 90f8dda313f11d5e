"""The student copy of a source notebook: no jupytext metadata, no outputs, answer stubs, a generated notice."""
from __future__ import annotations

from functools import lru_cache

import course_config
from course_config import Course
from coursekit import notebook as nbk

NOTICE_ID = "generated-notice"
# Cell metadata jupytext keeps for its own round trip; none of it belongs in a student's notebook.
JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "skipline", "noskipline")


class _Section(dict):
    """A stand-in for a traitlets Config: enough to read what course_config.nbgrader_settings sets."""

    def __getattr__(self, key):
        return self.setdefault(key, _Section())

    def __setattr__(self, key, value):
        self[key] = value


@lru_cache(maxsize=None)
def nbgrader_settings() -> _Section:
    cfg = _Section()
    course_config.nbgrader_settings(cfg)
    return cfg


def text_stub() -> str:
    return nbgrader_settings().ClearSolutions.get("text_stub") or "YOUR ANSWER HERE"


def is_ungraded_answer(cell) -> bool:
    """A markdown answer cell left ungraded (solution: true, grade: false): the course does not score it.

    W2D1's think answers are graded by hand (grade: true, course_config.QUESTIONS) and nbgrader keeps
    them; an ungraded one is still accepted, and cleared here.
    """
    return cell.cell_type == "markdown" and nbk.is_solution(cell) and not nbk.nbgrader_meta(cell).get("grade")


def clear_ungraded_answer(cell) -> None:
    """Replace the answer regions of a think-answer cell by the text stub and drop its nbgrader metadata.

    nbgrader refuses markdown solution cells that are not grade cells ("Markdown solution cell is
    not marked as a grade cell"), so the release pipeline clears ungraded answers itself and hands
    nbgrader a plain markdown cell.
    """
    lines, out, inside = cell.source.splitlines(), [], False
    for line in lines:
        text = line.strip()
        if text == nbk.BEGIN_SOLUTION:
            inside = True
            out.append(text_stub())
        elif text == nbk.END_SOLUTION:
            inside = False
        elif not inside:
            out.append(line)
    cell.source = "\n".join(out)
    cell.metadata.pop("nbgrader", None)


def _source_label(course: Course, name: str) -> str:
    return f"{course.source_dir.name}/{course.assignment}/{name}"


def student_notebook(nb, course: Course, name: str):
    """The notebook handed to nbgrader: no jupytext metadata, a generated notice first."""
    import nbformat

    nb.metadata.pop("jupytext", None)
    nb.metadata["coursekit"] = {"generated_from": _source_label(course, f"{name}.py"), "generated_by": "make release"}
    for cell in nb.cells:
        for key in JUPYTEXT_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if is_ungraded_answer(cell):
            clear_ungraded_answer(cell)
    graded = any(nbk.is_solution(c) for c in nb.cells)
    notice = nbformat.v4.new_markdown_cell(
        f"*This student copy was generated from `{_source_label(course, name + '.py')}` by `make release`. "
        "Course staff: edit that source, not this file.*"
        + (" *Students: write your code where it says `YOUR CODE HERE`.*" if graded else ""))
    notice["id"] = NOTICE_ID
    nb.cells.insert(0, notice)
    return nb


def _helper_notice(course: Course) -> str:
    return f"# Generated copy of {_source_label(course, course.helper_module)} by `make release`; do not edit.\n"


def helper_notice(course: Course) -> str:
    return f"# Generated copy of {_source_label(course, course.helper_module)} by `make release`; do not edit.\n"
