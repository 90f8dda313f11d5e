"""Which cells of a notebook the grader runs: trusted setup cells, then the student's solution and added cells."""
from __future__ import annotations

import re
from functools import lru_cache

from course_config import COURSE
from coursekit import notebook as nbk

_MAGIC = re.compile(r"^\s*[%!]")


def _code(source: str) -> str:
    """Cell source runnable by plain exec: IPython magics and shell escapes become no-ops."""
    return "\n".join("pass  # " + ln.strip() if _MAGIC.match(ln) else ln for ln in source.splitlines())


@lru_cache(maxsize=None)
def source_notebook(name: str):
    return nbk.read(COURSE.source_dir / COURSE.assignment / f"{name}.ipynb")


@lru_cache(maxsize=None)
def release_notebook(name: str):
    return nbk.read(COURSE.release_dir / COURSE.assignment / f"{name}.ipynb")


def setup_cells(source_nb) -> list[tuple[str, str]]:
    return [(f"setup {i + 1}", _code(c.source)) for i, c in enumerate(source_nb.cells) if nbk.is_setup(c)]


def reference_cells(name: str) -> list[tuple[str, str]]:
    """Setup cells plus every solution cell of the source notebook, markers stripped."""
    nb = source_notebook(name)
    cells = setup_cells(nb)
    for c in nb.cells:
        if c.cell_type == "code" and nbk.is_solution(c):
            cells.append((nbk.grade_id(c), _code(nbk.strip_markers(c.source))))
    return cells


def student_cells(name: str, submitted_nb, release_nb=None) -> list[tuple[str, str]]:
    """Setup cells from the trusted source, then the submission's solution cells and the cells it added.

    Solution cells are matched by grade_id; a cell counts as added when its id
    and its source match no cell of the release.  Instructor cells (training,
    plots, public tests) are never run.
    """
    release_nb = release_nb if release_nb is not None else release_notebook(name)
    known_ids = {c.get("id") for c in release_nb.cells}
    known_sources = {c.source.strip() for c in release_nb.cells}
    solution_ids = {nbk.grade_id(c) for c in source_notebook(name).cells if nbk.is_solution(c)}
    cells = setup_cells(source_notebook(name))
    for i, c in enumerate(submitted_nb.cells):
        if c.get("cell_type") != "code":
            continue
        gid = nbk.grade_id(c)
        if gid in solution_ids and nbk.is_solution(c):
            cells.append((gid, _code(c.source)))
        elif gid is None and c.get("id") not in known_ids and c.source.strip() not in known_sources:
            cells.append((f"added cell {i + 1}", _code(c.source)))
    return cells

