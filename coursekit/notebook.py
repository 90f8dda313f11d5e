"""Cell roles and solution markers of course notebooks, defined once, with errors that name notebook and cell."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
SETUP_TAG = "setup"  # code cells the grader runs before a student's solution cells

_MARKERS = {BEGIN_SOLUTION: END_SOLUTION, BEGIN_HIDDEN: END_HIDDEN}
_ENDS = {v: k for k, v in _MARKERS.items()}


class NotebookError(ValueError):
    """A notebook breaks a course convention; the message names the file, the cell and the fix."""


@dataclass(frozen=True)
class Region:
    begin: int  # line index of the BEGIN marker
    end: int  # line index of the END marker
    kind: str  # BEGIN_SOLUTION or BEGIN_HIDDEN


def describe(path: Path | str, index: int, cell) -> str:
    gid = nbgrader_meta(cell).get("grade_id")
    where = f"{Path(path).name}, cell {index + 1}"
    return f"{where} (grade_id {gid!r})" if gid else where


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_setup(cell) -> bool:
    return cell.get("cell_type") == "code" and SETUP_TAG in tags(cell)


def regions(source: str, where: str) -> list[Region]:
    """Marker regions of one cell's source; unclosed, nested or stray markers raise NotebookError."""
    found: list[Region] = []
    open_kind, open_line = None, None
    for i, line in enumerate(source.splitlines()):
        text = line.strip()
        if text in _MARKERS:
            if open_kind is not None:
                raise NotebookError(f"{where}: '{text}' on line {i + 1} is nested inside '{open_kind}' "
                                    f"opened on line {open_line + 1}; close the first region before opening another")
            open_kind, open_line = text, i
        elif text in _ENDS:
            if open_kind != _ENDS[text]:
                raise NotebookError(f"{where}: '{text}' on line {i + 1} has no matching '{_ENDS[text]}' above it")
            found.append(Region(open_line, i, open_kind))
            open_kind = None
    if open_kind is not None:
        raise NotebookError(f"{where}: '{open_kind}' on line {open_line + 1} is never closed; "
                            f"add '{_MARKERS[open_kind]}' after the solution")
    return found


def strip_markers(source: str) -> str:
    """The full reference code of a solution cell: marker lines removed, everything else kept."""
    keep = [line for line in source.splitlines() if line.strip() not in _MARKERS and line.strip() not in _ENDS]
    return "\n".join(keep)


def solution_lines(source: str, where: str) -> list[str]:
    """Non-blank lines inside solution or hidden-test regions: the text that must never reach students."""
    lines = source.splitlines()
    out = []
    for region in regions(source, where):
        out += [ln for ln in lines[region.begin + 1:region.end] if ln.strip()]
    return out


def read(path: Path | str):
    """Read a notebook, turning nbformat's errors into NotebookError naming the file."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path}: notebook not found")
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and encoding errors
        raise NotebookError(f"{path}: not a readable Jupyter notebook ({type(exc).__name__}: {exc}); "
                            "re-save it from Jupyter or restore it from the release") from None


def cells_by_grade_id(nb, path: Path | str) -> dict[str, tuple[int, object]]:
    """grade_id -> (index, cell); a duplicate grade_id raises NotebookError."""
    seen: dict[str, tuple[int, object]] = {}
    for i, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid is None:
            continue
        if gid in seen:
            raise NotebookError(f"{Path(path).name}: grade_id {gid!r} is used by cell {seen[gid][0] + 1} "
                                f"and cell {i + 1}; every grade_id must be unique")
        seen[gid] = (i, cell)
    return seen


_CELL_NAME = re.compile(r"^<cell (?P<gid>[^>]+)>$")


def cell_filename(label: str) -> str:
    """The pseudo file name under which a cell is compiled, so tracebacks can name the cell."""
    return f"<cell {label}>"


def cell_label(filename: str) -> str | None:
    m = _CELL_NAME.match(filename)
    return m.group("gid") if m else None


_MARKER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(?P<name>\w+)|^\s*class\s+(?P<cls>\w+)")


def strict_regions(source: str, where: str) -> list[Region]:
    """Like `regions`, but also rejects lines that nbgrader would take for a marker and we would not.

    nbgrader matches a marker anywhere in a line ("# BEGIN SOLUTION", a marker followed by a
    comment, a marker inside a string); `regions` only accepts the exact marker on a line of
    its own.  Such near misses would be cut differently by the two, so they are an error.
    """
    for i, line in enumerate(source.splitlines()):
        text = line.strip()
        if text in _MARKERS or text in _ENDS:
            continue
        for word in _MARKER_WORDS:
            if word in line:
                exact = "### " + word
                raise NotebookError(f"{where}: line {i + 1} {text!r} contains '{word}' but is not the exact "
                                    f"marker line '{exact}'; nbgrader would treat it as a marker. "
                                    f"Write '{exact}' alone on its line, or reword the line")
    return regions(source, where)


def enclosing_name(lines: list[str], index: int) -> str | None:
    """Dotted name of the def/class that encloses line `index` (e.g. 'DeepNetReLU.forward'), by indentation."""
    threshold = len(lines[index]) - len(lines[index].lstrip())
    names: list[str] = []
    for line in reversed(lines[:index]):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent >= threshold:
            continue
        threshold = indent
        m = _DEF.match(line)
        if m:
            names.append(m.group("name") or m.group("cls"))
        if indent == 0:
            break
    return ".".join(reversed(names)) or None


def stub_message(grade_id: str, name: str | None) -> str:
    """The message of the NotImplementedError that replaces a solution region in the release."""
    what = f"implement {name}" if name else "write your solution here"
    return f"Exercise {grade_id}: {what} — replace this line with your code"


def stub_lines(grade_id: str, name: str | None) -> list[str]:
    """The release's replacement for one solution region of a code cell (unindented)."""
    message = stub_message(grade_id, name).replace("\\", "\\\\").replace('"', '\\"')
    return ["# YOUR CODE HERE", f'raise NotImplementedError("{message}")']
