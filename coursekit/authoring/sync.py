"""Jupytext pairs: the py:percent twin is the notebook people edit; its .ipynb is derived from it.

`sync()` rewrites each source .ipynb from its twin whenever they differ, deterministically (the
twin always wins, unlike `jupytext --sync`, which takes the newer file):

* cells, sources, cell metadata (nbgrader included) and notebook metadata come from the twin;
* no outputs, no execution counts;
* cell ids are kept from the existing .ipynb (matched cell by cell the way `jupytext --sync`
  matches them, so an edited cell keeps its id); a new cell gets an id derived from its
  content (its grade_id for nbgrader cells). Stable ids matter: the grader recognises cells a
  student added by comparing ids with the release's.

The .ipynb is written exactly as `jupytext --sync` writes it, so the two tools agree.
`sync(check=True)` only reports drift. Because the twin wins, sync refuses to overwrite a
notebook that was edited after its twin (newer file and different cells): that would lose
work; `force=True` overwrites anyway.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from course_config import COURSE, Course
from coursekit import notebook as nbk
from coursekit.files import atomic_write

NotebookError = nbk.NotebookError
SYNC_HINT = "run `make sync` (or `python -m coursekit sync`)"
_VALID_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def paths(name: str, course: Course = COURSE) -> tuple[Path, Path]:
    """(twin .py, .ipynb) of a source notebook."""
    folder = course.source_dir / course.assignment
    return folder / f"{name}.py", folder / f"{name}.ipynb"


def read_twin(py: Path):
    """The notebook a py:percent twin describes (random cell ids), or NotebookError naming the file."""
    import jupytext

    if not py.exists():
        raise NotebookError(f"{_rel(py)}: the py:percent twin is missing; create it with "
                            f"`jupytext --set-formats ipynb,py:percent {py.with_suffix('.ipynb').name}` "
                            "or restore it from git")
    try:
        nb = jupytext.read(str(py), fmt="py:percent")
    except Exception as exc:  # jupytext raises many kinds of parse errors
        raise NotebookError(f"{_rel(py)}: jupytext cannot read this twin ({type(exc).__name__}: {exc})") from None
    return nb


def _content_id(cell, taken: set[str]) -> str:
    gid = nbk.grade_id(cell)
    if gid and _VALID_ID.match(gid) and gid not in taken:
        return gid
    digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()
    base, n = digest[:8], 1
    cid = base
    while cid in taken:
        n += 1
        cid = f"{base}-{n}"
    return cid


def render(py: Path, previous=None):
    """The .ipynb notebook for twin `py`, taking cell ids from `previous` (the existing .ipynb) where cells match."""
    from jupytext.combine import map_outputs_to_inputs

    nb = read_twin(py)
    for cell in nb.cells:
        cell.pop("id", None)
    if previous is not None:
        for cell, j in zip(nb.cells, map_outputs_to_inputs(nb.cells, previous.cells)):
            old = previous.cells[j].get("id") if j is not None else None
            if old and _VALID_ID.match(old):
                cell["id"] = old
    taken: set[str] = set()
    for cell in nb.cells:  # duplicated ids (copied cells in the old notebook) are renewed
        if cell.get("id") in taken:
            cell.pop("id")
        if cell.get("id"):
            taken.add(cell["id"])
    for cell in nb.cells:
        if not cell.get("id"):
            cell["id"] = _content_id(cell, taken)
            taken.add(cell["id"])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def ipynb_text(nb) -> str:
    """The bytes-exact text of a notebook, as jupytext writes an .ipynb."""
    import jupytext

    text = jupytext.writes(nb, fmt="ipynb")
    return text if text.endswith("\n") else text + "\n"


def read_previous(ipynb: Path):
    import nbformat

    if not ipynb.exists():
        return None
    try:
        return nbformat.read(str(ipynb), as_version=4)
    except Exception:  # unreadable: treated as missing, it is rebuilt from the twin
        return None


def _cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def difference(old, new) -> str:
    """Where two versions of a notebook first differ, in words."""
    if old is None:
        return "the .ipynb is missing or unreadable"
    if len(old.cells) != len(new.cells):
        return f"{len(old.cells)} cells instead of {len(new.cells)}"
    for i, (a, b) in enumerate(zip(old.cells, new.cells)):
        if a.cell_type != b.cell_type or a.source != b.source:
            return f"cell {i + 1} differs"
        if a.get("outputs") or a.get("execution_count"):
            return f"cell {i + 1} has outputs"
        if a.get("metadata") != b.get("metadata"):
            return f"cell {i + 1} metadata differs"
        if a.get("id") != b.get("id"):
            return f"cell {i + 1} id differs"
    if old.metadata != new.metadata:
        return "notebook metadata differs"
    return "formatting differs"


def sync(course: Course = COURSE, check: bool = False, force: bool = False,
         names: tuple[str, ...] | None = None) -> list[Path]:
    """Make every source .ipynb equal to what its twin produces; return the .ipynb files that differed.

    check=True writes nothing and raises NotebookError listing the drifted files.
    """
    drifted: list[tuple[Path, str]] = []
    refused: list[str] = []
    for name in names if names is not None else course.notebooks:
        py, ipynb = paths(name, course)
        if not py.exists() and not ipynb.exists():
            raise NotebookError(f"{name}: notebook missing from source: neither {_rel(py)} nor {_rel(ipynb)} "
                                "exists (course_config lists it)")
        previous = read_previous(ipynb)
        nb = render(py, previous)
        text = ipynb_text(nb)
        current = ipynb.read_text(encoding="utf-8") if ipynb.exists() else None
        if current == text:
            continue
        why = difference(previous, nb)
        drifted.append((ipynb, why))
        if check:
            continue
        edited_later = (previous is not None and _cells(previous) != _cells(nb)
                        and ipynb.stat().st_mtime > py.stat().st_mtime)
        if edited_later and not force:
            refused.append(f"  {_rel(ipynb)}: edited after its twin {py.name} ({why}); to keep those edits run "
                           f"`jupytext --to py:percent {ipynb.name}` in {_rel(ipynb.parent)} first, "
                           "to discard them run `python -m coursekit sync --force`")
            continue
        atomic_write(ipynb, text)
    if check and drifted:
        listing = "\n".join(f"  {_rel(p)}: {why}" for p, why in drifted)
        raise NotebookError(f"source notebooks out of sync with their py:percent twins:\n{listing}\n{SYNC_HINT}")
    if refused:
        raise NotebookError("refusing to overwrite notebooks that have edits their twins lack:\n" + "\n".join(refused))
    return [p for p, _ in drifted]


def drift(course: Course = COURSE) -> list[str]:
    """Problems for `coursekit check`: one line per source notebook that differs from its twin (empty: in sync)."""
    try:
        sync(course, check=True)
    except NotebookError as exc:
        return [str(exc)]
    return []


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(*, check: bool = False, force: bool = False, course: Course = COURSE) -> int:
    """`coursekit sync`: rebuild each source .ipynb from its twin (--check: only report drift).

    A NotebookError (drift under --check, a refused overwrite) reaches the command line, which prints it (exit 2).
    """
    changed = sync(course, check=check, force=force)
    for path in changed:
        print(f"synced {path.name} from its twin")
    if not changed:
        print("source notebooks in sync with their twins")
    return 0
