"""Validation rules: every convention the grader relies on, checked on the py:percent twins before nbgrader runs.

Bad input is one NotebookError listing every problem, each naming notebook and cell.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from course_config import COURSE, Course
from coursekit import notebook as nbk
from coursekit.authoring import sync as sy
from coursekit.notebook import NotebookError

_GRADE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def guard(self, fn, *args):
        try:
            return fn(*args)
        except NotebookError as exc:
            self.add(str(exc))
            return None

    def raise_if_any(self) -> None:
        if len(self.items) == 1:
            raise NotebookError(self.items[0])
        if self.items:
            listing = "\n".join(f"  - {m}" for m in self.items)
            raise NotebookError(f"{len(self.items)} problems in the source notebooks:\n{listing}")


def _where(path: Path, index: int, cell) -> str:
    return nbk.describe(path, index, cell)


def _top_level_names(code: str) -> set[str]:
    tree = ast.parse("\n".join("pass" if _MAGIC.match(ln) else ln for ln in code.splitlines()))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _points(p) -> str:
    return f"{p:g} point{'' if p == 1 else 's'}"


def _check_cell(where: str, cell, problems: _Problems) -> None:
    """Markers and nbgrader metadata of one cell, as nbgrader will read them."""
    found = problems.guard(nbk.strict_regions, cell.source, where)
    meta = nbk.nbgrader_meta(cell)
    kinds = {r.kind for r in found or []}
    if nbk.BEGIN_SOLUTION in kinds and not nbk.is_solution(cell):
        problems.add(f"{where}: has a '{nbk.BEGIN_SOLUTION}' region but is not an nbgrader solution cell; "
                     "give it solution metadata (see docs/AUTHORING.md) or remove the markers")
    if nbk.BEGIN_HIDDEN in kinds and not meta.get("grade"):
        problems.add(f"{where}: has a '{nbk.BEGIN_HIDDEN}' region but is not an autograder test cell "
                     "(nbgrader grade: true)")
    if found is not None and cell.cell_type == "code" and nbk.is_solution(cell) and nbk.BEGIN_SOLUTION not in kinds:
        problems.add(f"{where}: solution cell has no '{nbk.BEGIN_SOLUTION}' / '{nbk.END_SOLUTION}' region; "
                     "keep the signature and docstring outside the markers and the body inside")
    if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
        return
    gid = meta.get("grade_id")
    if not gid or not _GRADE_ID.match(str(gid)):
        problems.add(f"{where}: nbgrader cell needs a grade_id of letters, digits, '_' or '-' (got {gid!r})")
    if meta.get("grade") and not isinstance(meta.get("points"), (int, float)):
        problems.add(f"{where}: autograder test cell has no numeric 'points'")
    if cell.cell_type == "markdown" and meta.get("grade") and not meta.get("solution"):
        problems.add(f"{where}: a markdown grade cell must also be a solution cell (nbgrader rule)")


def _check_exercise(ex, by_id: dict, py: Path, problems: _Problems) -> None:
    """The registry contract of one exercise: its solution cell defines the names, its test cell follows."""
    if ex.grade_id not in by_id:
        problems.add(f"{py.name}: no solution cell with grade_id {ex.grade_id!r} (course_config.EXERCISES "
                     f"lists it for {ex.notebook}); add the cell or remove the exercise from the registry")
        return
    i, cell = by_id[ex.grade_id]
    where = _where(py, i, cell)
    if cell.cell_type != "code" or not nbk.is_solution(cell):
        problems.add(f"{where}: must be a code cell with nbgrader solution: true")
    else:
        try:
            missing = [n for n in ex.defines if n not in _top_level_names(nbk.strip_markers(cell.source))]
        except SyntaxError as exc:
            problems.add(f"{where}: the reference solution does not parse (line {exc.lineno}: {exc.msg})")
        else:
            if missing:
                problems.add(f"{where}: must define {', '.join(missing)} (course_config.EXERCISES)")
    if ex.test_cell not in by_id:
        problems.add(f"{where}: the public test cell {ex.test_cell!r} is missing; add an autograder cell "
                     f"with grade_id {ex.test_cell!r} and {_points(ex.public_points)} after it")
        return
    j, test = by_id[ex.test_cell]
    twhere, points = _where(py, j, test), nbk.nbgrader_meta(test).get("points")
    if not nbk.is_test(test):
        problems.add(f"{twhere}: must be an autograder test cell (grade: true, solution: false)")
        return
    if isinstance(points, (int, float)) and float(points) != float(ex.public_points):
        problems.add(f"{twhere}: has {_points(points)} but course_config gives {_points(ex.public_points)} "
                     "(public_points)")
    if not nbk.nbgrader_meta(test).get("locked", False):
        problems.add(f"{twhere}: test cells must be locked (nbgrader locked: true)")
    if j < i:
        problems.add(f"{twhere}: comes before its solution cell (cell {i + 1}); put it after")


def _check_notebook(name: str, py: Path, nb, course: Course, problems: _Problems) -> None:
    """Every cell, then the grade_ids against the exercise registry."""
    for i, cell in enumerate(nb.cells):
        _check_cell(_where(py, i, cell), cell, problems)
    by_id = problems.guard(nbk.cells_by_grade_id, nb, py)
    if by_id is None:
        return
    graded = {gid: (i, c) for gid, (i, c) in by_id.items() if nbk.is_solution(c) or nbk.is_test(c)}
    if name not in course.tutorials:  # the intro
        for gid, (i, cell) in graded.items():
            problems.add(f"{_where(py, i, cell)}: {name} is not graded; remove the nbgrader cell")
        return
    registered = {ex.grade_id: ex for ex in course.exercises}
    for gid, (i, cell) in graded.items():
        if cell.cell_type != "code" or not nbk.is_solution(cell):
            continue
        if gid not in registered:
            problems.add(f"{_where(py, i, cell)}: solution cell grade_id {gid!r} is not in course_config.EXERCISES; "
                         "register the exercise or rename the cell to a registered grade_id")
        elif registered[gid].notebook != name:
            problems.add(f"{_where(py, i, cell)}: grade_id {gid!r} is registered for {registered[gid].notebook}, "
                         f"not {name}")
    for ex in course.exercises_in(name):
        _check_exercise(ex, by_id, py, problems)
    _check_questions(name, py, by_id, course, problems)


def _check_questions(name: str, py: Path, by_id: dict, course: Course, problems: _Problems) -> None:
    """Written answers: each course_config.QUESTIONS row is a markdown cell graded by hand with the same points,
    and every such cell is registered (TAs score them in formgrader or manual_scores.csv)."""
    registered = {q.grade_id: q for q in course.questions_in(name)}
    for gid, (i, cell) in by_id.items():
        meta = nbk.nbgrader_meta(cell)
        if cell.cell_type == "markdown" and meta.get("grade") and gid not in registered:
            problems.add(f"{_where(py, i, cell)}: written answer {gid!r} is graded by hand but not in "
                         f"course_config.QUESTIONS; add Question({gid!r}, {name!r}, <points>)")
    for gid, q in registered.items():
        if gid not in by_id or by_id[gid][1].cell_type != "markdown":
            problems.add(f"{py.name}: no markdown answer cell with grade_id {gid!r} (course_config.QUESTIONS "
                         f"lists it for {name}); add it after the question, or remove the row")
            continue
        i, cell = by_id[gid]
        meta = nbk.nbgrader_meta(cell)
        if not (meta.get("grade") and meta.get("solution")):
            problems.add(f'{_where(py, i, cell)}: written answer {gid!r} must be graded by hand: nbgrader '
                         f'"grade": true, "solution": true, "points": {q.points:g}')
        elif isinstance(meta.get("points"), (int, float)) and float(meta["points"]) != float(q.points):
            problems.add(f"{_where(py, i, cell)}: written answer {gid!r} has {_points(meta['points'])} but "
                         f"course_config.QUESTIONS gives {_points(q.points)}")


def validate(course: Course = COURSE) -> dict[str, object]:
    """Check every source notebook (via its twin) before nbgrader runs; return name -> notebook read from the twin.

    Raises one NotebookError listing every problem, each naming the notebook and the cell.
    """
    problems = _Problems()
    folder = course.source_dir / course.assignment
    notebooks: dict[str, object] = {}
    if not folder.is_dir():
        raise NotebookError(f"{folder}: the source folder of assignment {course.assignment} does not exist")
    for ex in course.exercises:
        if ex.notebook not in course.tutorials:
            problems.add(f"course_config.EXERCISES: {ex.grade_id!r} names notebook {ex.notebook!r}, "
                         f"which is not one of the tutorials {list(course.tutorials)}")
    for q in course.questions:
        if q.notebook not in course.tutorials:
            problems.add(f"course_config.QUESTIONS: {q.grade_id!r} names notebook {q.notebook!r}, "
                         f"which is not one of the tutorials {list(course.tutorials)}")
    for name in course.notebooks:
        py, ipynb = sy.paths(name, course)
        if not py.exists() and not ipynb.exists():
            problems.add(f"{name}: notebook missing from source: neither {py.name} nor {ipynb.name} is in "
                         f"{folder} (course_config lists it)")
            continue
        nb = problems.guard(sy.read_twin, py)
        if nb is None:
            continue
        notebooks[name] = nb
        _check_notebook(name, py, nb, course, problems)
    listed = {f"{n}.ipynb" for n in course.notebooks}
    for extra in sorted(folder.glob("*.ipynb")):
        if extra.name not in listed:
            problems.add(f"{extra.name}: a notebook in {folder} that course_config does not list; nbgrader would "
                         "release it. Add it to course_config or move it out of source/")
    if not (folder / course.helper_module).exists():
        problems.add(f"{course.helper_module}: the helper module is missing from {folder}")
    problems.raise_if_any()
    return notebooks
