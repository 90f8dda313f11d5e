"""Which cells of a notebook the grader runs: trusted setup cells, then every code cell the student wrote or changed.

A submitted cell is matched to the release the way a reader would: by its
nbgrader grade_id, else by its cell id, else by its unchanged source.  A code
cell that matches nothing is the student's: it belongs to an exercise when it
defines one of the exercise's names, or when it sits between the release
cells around exactly one solution cell (a solution split into parts, pasted
into a fresh cell, or stripped of its metadata by an editor); otherwise it
is an added cell.  Every student cell runs, in notebook order.  Unchanged
instructor cells (data, training, plots, public tests) do not, except for the
imports, functions and classes they define, taken from the release (students
call helpers such as `conv_output_size` or `plt`).  `restore_metadata` gives nbgrader the
same reading, so a renamed or stripped solution or test cell never makes it
drop the notebook.
"""
from __future__ import annotations

import ast
import copy
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import nbformat

from course_config import COURSE
from coursekit import notebook as nbk

_MAGIC = re.compile(r"^\s*[%!]")

SETUP, SOLUTION, TEST, GIVEN, TEXT = "setup", "solution", "test", "given", "text"  # roles of release cells
ADDED, CHANGED, DEFINITIONS = "added", "changed", "definitions"  # roles of run cells that are not solutions


def _code(source: str) -> str:
    """Cell source runnable by plain exec: IPython magics and shell escapes become no-ops."""
    return "\n".join("pass  # " + ln.strip() if _MAGIC.match(ln) else ln for ln in source.splitlines())


def normalized(source) -> str:
    """Source as compared across editors: LF line ends, no trailing spaces, no blank first or last lines."""
    text = "".join(source) if isinstance(source, list) else str(source or "")
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


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


def release_role(cell) -> str:
    if cell.get("cell_type") != "code":
        return TEXT
    if nbk.is_solution(cell):
        return SOLUTION
    if nbk.is_test(cell):
        return TEST
    return SETUP if nbk.is_setup(cell) else GIVEN


@dataclass(frozen=True)
class Cell:
    """One code cell of a submission as the grader reads it."""

    number: int  # 1-based position in the submitted notebook
    role: str  # SOLUTION, ADDED, CHANGED, or SETUP / TEST / GIVEN for an unchanged instructor cell
    grade_id: str | None  # the exercise it belongs to (SOLUTION), or the instructor cell's grade_id
    release_index: int | None  # the release cell it matched, if any
    source: str
    part: int = 1  # a solution written over several cells: which of them

    @property
    def first_line(self) -> str:
        return next((ln.strip() for ln in self.source.splitlines() if ln.strip()), "")[:120]

    @property
    def runs(self) -> bool:
        return self.role in (SOLUTION, ADDED, CHANGED)

    @property
    def label(self) -> str:
        """The name tracebacks and messages use: the exercise for a solution cell, else role and number."""
        if self.role == SOLUTION:
            return self.grade_id if self.part == 1 else f"{self.grade_id} part {self.part}"
        return f"{self.role} cell {self.number}"  # "added cell 7": the feedback page lists these


def anchors(submitted_nb, release_nb) -> list[int | None]:
    """For each submitted cell, the index of the release cell it is (grade_id, then cell id, then source)."""
    release = release_nb.cells
    by_gid = {nbk.grade_id(c): i for i, c in enumerate(release) if nbk.grade_id(c)}
    by_id = {c.get("id"): i for i, c in enumerate(release) if c.get("id")}
    by_source: dict[str, list[int]] = {}
    for i, c in enumerate(release):
        by_source.setdefault(normalized(c.source), []).append(i)
    taken: set[int] = set()
    out: list[int | None] = [None] * len(submitted_nb.cells)
    for rule in ("grade_id", "id", "source"):
        for k, c in enumerate(submitted_nb.cells):
            if out[k] is not None:
                continue
            if rule == "grade_id":
                candidates = [by_gid.get(nbk.grade_id(c))]
            elif rule == "id":
                candidates = [by_id.get(c.get("id"))]
            else:
                candidates = by_source.get(normalized(c.source), []) if normalized(c.source) else []
            hit = next((i for i in candidates if i is not None and i not in taken
                        and release[i].get("cell_type") == c.get("cell_type")), None)
            if hit is not None:
                out[k] = hit
                taken.add(hit)
    return out


def _defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(_code(source))
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _exercise_by_names(source: str, grade_ids: list[str]) -> str | None:
    """The first exercise (of grade_ids) whose required names the cell defines."""
    names = _defined_names(source)
    for gid in grade_ids:
        ex = next((e for e in COURSE.exercises if e.grade_id == gid), None)
        if ex is not None and names & set(ex.defines):
            return gid
    return None


def _gap_exercise(k: int, anchor: list[int | None], release) -> str | None:
    """The one solution cell of the release between the matched cells around submitted cell k, if exactly one.

    The matched cell before k counts when it is itself that solution: k is then a further part of it.
    """
    before = next((anchor[j] for j in range(k - 1, -1, -1) if anchor[j] is not None), -1)
    after = next((anchor[j] for j in range(k + 1, len(anchor)) if anchor[j] is not None), len(release))
    between = [nbk.grade_id(release[i]) for i in range(max(before, 0), after)
               if release_role(release[i]) == SOLUTION]
    return between[0] if len(between) == 1 else None


def read_cells(submitted_nb, release_nb) -> list[Cell]:
    """Every code cell of the submission with its role, in notebook order."""
    release = release_nb.cells
    anchor = anchors(submitted_nb, release_nb)
    solution_ids = [nbk.grade_id(c) for c in release if release_role(c) == SOLUTION]
    copies = {normalized(c.source): i for i, c in enumerate(release) if release_role(c) in (SETUP, TEST, GIVEN)}
    parts: dict[str, int] = {}  # grade_id -> solution cells seen so far
    out = []
    for k, c in enumerate(submitted_nb.cells):
        if c.get("cell_type") != "code":
            continue
        a = anchor[k]
        role = release_role(release[a]) if a is not None else ADDED
        gid = nbk.grade_id(release[a]) if a is not None else None
        if role in (SETUP, GIVEN) and normalized(c.source) != normalized(release[a].source):
            role = CHANGED
        elif role == ADDED and normalized(c.source) in copies:  # a copy of an instructor cell: still theirs
            a = copies[normalized(c.source)]
            role, gid = release_role(release[a]), nbk.grade_id(release[a])
        elif role == ADDED:
            gid = _exercise_by_names(c.source, solution_ids) or _gap_exercise(k, anchor, release)
            role = SOLUTION if gid else ADDED
        part = 1
        if role == SOLUTION:
            part = parts[gid] = parts.get(gid, 0) + 1
        out.append(Cell(k + 1, role, gid, a, c.source, part))
    return out


def _given_definitions(cell: Cell, release, protected: set[str]) -> str:
    """The imports, function and class definitions of an unchanged instructor cell, from the release's copy.

    Students call what these cells define or import (conv_output_size, plt); the rest (data, training,
    plots) is not run.  An import the sandbox cannot satisfy (the helper module) is skipped quietly.
    """
    source = release[cell.release_index].source
    try:
        tree = ast.parse(_code(source))
    except SyntaxError:
        return ""
    lines = _code(source).splitlines()
    keep = []
    for node in tree.body:
        text = "\n".join(lines[min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1:
                                node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            keep.append("try:\n" + textwrap.indent(text, "    ") + "\nexcept ImportError:\n    pass")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name not in protected:
            keep.append(text)
    return "\n\n".join(keep)


def student_plan(name: str, submitted_nb, release_nb=None) -> list[tuple[Cell | None, str, str]]:
    """(cell or None for trusted code, label, runnable source) in the order the hidden-suite child runs them."""
    release_nb = release_nb if release_nb is not None else release_notebook(name)
    protected = {n for ex in COURSE.exercises_in(name) for n in ex.defines}
    plan: list[tuple[Cell | None, str, str]] = [(None, label, src) for label, src in setup_cells(source_notebook(name))]
    given_done: set[int] = set()
    for cell in read_cells(submitted_nb, release_nb):
        if cell.runs:
            plan.append((cell, cell.label, _code(cell.source)))
        elif cell.role == GIVEN and cell.release_index not in given_done:
            given_done.add(cell.release_index)
            given = _given_definitions(cell, release_nb.cells, protected)
            if given:
                plan.append((None, f"given {cell.number}", given))
    return plan


def student_cells(name: str, submitted_nb, release_nb=None) -> list[tuple[str, str]]:
    """(label, source) pairs for the hidden-suite child: trusted setup cells, then the student's cells.

    The release's unchanged instructor cells contribute only their function and class definitions.
    """
    return [(label, source) for _, label, source in student_plan(name, submitted_nb, release_nb)]


_RESTORED_KEYS = ("nbgrader", "deletable", "editable")


def restore_metadata(submitted_nb, release_nb):
    """A copy of the submission that nbgrader reads as the grader does.

    The first cell of each recognised solution and every matched setup and test cell get the release's
    nbgrader metadata back; any other cell loses nbgrader metadata (a copied, renamed or stale grade_id,
    which nbgrader would reject or let override the real cell); a solution cell that is missing (merged
    into another cell) gets an empty stand-in, since nbgrader places a missing test cell after it.
    """
    nb = copy.deepcopy(submitted_nb)
    release = release_nb.cells
    read = {c.number - 1: c for c in read_cells(nb, release_nb)}
    anchor = anchors(nb, release_nb)
    by_gid = {nbk.grade_id(c): i for i, c in enumerate(release) if nbk.grade_id(c)}
    for k, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {})
        c = read.get(k)
        target = None
        if c is not None and c.role == SOLUTION and c.part == 1:
            target = by_gid[c.grade_id]
        elif c is not None and c.role in (SETUP, TEST, CHANGED) and anchor[k] == c.release_index \
                and nbk.nbgrader_meta(release[c.release_index]):  # the matched cell, not a copy of it
            target = c.release_index
        elif c is None and anchor[k] is not None and nbk.nbgrader_meta(release[anchor[k]]):
            target = anchor[k]
        for key in _RESTORED_KEYS:
            meta.pop(key, None)
            if target is not None and key in release[target].metadata:
                meta[key] = copy.deepcopy(release[target].metadata[key])
    _stand_in_missing_solutions(nb, release_nb, read)
    return nb


def _stand_in_missing_solutions(nb, release_nb, read: dict[int, Cell]) -> None:
    present = {c.grade_id for c in read.values() if c.role == SOLUTION}
    anchor = anchors(nb, release_nb)
    for r, rc in enumerate(release_nb.cells):
        if release_role(rc) != SOLUTION or nbk.grade_id(rc) in present:
            continue
        # after the last submitted cell matched to a release cell before this solution
        at = 1 + max((k for k, a in enumerate(anchor) if a is not None and a < r), default=-1)
        stand_in = nbformat.v4.new_code_cell("# (the code of this exercise is in another cell)",
                                             metadata={k: copy.deepcopy(rc.metadata[k])
                                                       for k in _RESTORED_KEYS if k in rc.metadata})
        if nb.get("nbformat_minor", 5) < 5:
            stand_in.pop("id", None)  # cell ids only exist from nbformat 4.5 on
        nb.cells.insert(at, stand_in)
        anchor.insert(at, r)
