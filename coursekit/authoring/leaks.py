"""Leak checks: a release (or any page shown to students) must hold no solution line, hidden test or marker."""
from __future__ import annotations

import json
from pathlib import Path

from course_config import COURSE, Course
from coursekit import notebook as nbk
from coursekit.authoring.rules import validate
from coursekit.authoring.student_copy import JUPYTEXT_CELL_KEYS, NOTICE_ID, helper_notice


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def _release_lines(path: Path) -> list[str]:
    """Every line of text in a released file; for notebooks, every line of every JSON string (sources, metadata)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            return [ln for s in _strings(json.loads(text)) for ln in s.splitlines()]
        except json.JSONDecodeError:
            pass
    return text.splitlines()


def secret_and_public_lines(course: Course = COURSE, notebooks: dict | None = None) -> tuple[set[str], set[str]]:
    """(stripped lines inside solution/hidden-test regions, stripped lines of the source outside them).

    The leak rule: a release line leaks when it is a secret line that is not also a public line.
    A release is built only from the public part of the source, so a secret line can reach it
    only by leaking, except when the very same line is also given code elsewhere (`return out`,
    `import torch`); those are not secret and are allowed. No length threshold is needed.
    """
    notebooks = notebooks if notebooks is not None else validate(course)
    secret: set[str] = set()
    public: set[str] = set()
    for name, nb in notebooks.items():
        for i, cell in enumerate(nb.cells):
            lines = cell.source.splitlines()
            inside: set[int] = set()
            for r in nbk.regions(cell.source, f"{name}, cell {i + 1}"):
                inside |= set(range(r.begin, r.end + 1))
            markers = _marker_lines(lines)
            for k, line in enumerate(lines):
                if line.strip() and k not in markers:
                    (secret if k in inside else public).add(line.strip())
    helper = course.source_dir / course.assignment / course.helper_module
    if helper.exists():
        public |= {ln.strip() for ln in helper.read_text(encoding="utf-8").splitlines() if ln.strip()}
    return secret - {""}, public


def _marker_lines(lines: list[str]) -> set[int]:
    marks = {nbk.BEGIN_SOLUTION, nbk.END_SOLUTION, nbk.BEGIN_HIDDEN, nbk.END_HIDDEN}
    return {k for k, ln in enumerate(lines) if ln.strip() in marks}


def check_release(course: Course = COURSE, release_dir: Path | None = None,
                  notebooks: dict | None = None) -> list[str]:
    """Problems of a release folder (empty list: fine): leaks, markers, outputs, jupytext metadata, twins, stubs."""
    import nbformat

    release_dir = Path(release_dir) if release_dir is not None else course.release_dir / course.assignment
    if not release_dir.is_dir():
        return [f"{release_dir}: no release; run `make release`"]
    notebooks = notebooks if notebooks is not None else validate(course)
    secret, public = secret_and_public_lines(course, notebooks)
    problems: list[str] = []
    files = sorted(p for p in release_dir.rglob("*") if p.is_file())
    names = {p.relative_to(release_dir).as_posix() for p in files}
    for twin in course.twin_names():
        if twin in names:
            problems.append(f"{twin}: a Jupytext twin (with solutions) is in the release")
    for nb_name in course.notebooks:
        if f"{nb_name}.ipynb" not in names:
            problems.append(f"{nb_name}.ipynb: missing from the release")
    helper = release_dir / course.helper_module
    if not helper.exists():
        problems.append(f"{course.helper_module}: the helper module is missing from the release")
    elif not helper.read_text(encoding="utf-8").startswith(helper_notice(course)):
        problems.append(f"{course.helper_module}: first line is not the 'Generated copy' notice")
    for path in files:
        rel = path.relative_to(release_dir).as_posix()
        for k, line in enumerate(_release_lines(path)):
            text = line.strip()
            if text in secret and text not in public:
                problems.append(f"{rel}: line {text[:80]!r} is from a solution or hidden-test region")
            elif any(w in line for w in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
                problems.append(f"{rel}: a solution/hidden-test marker is left in the release")
        if path.suffix != ".ipynb":
            continue
        nb = nbformat.read(str(path), as_version=4)
        if "jupytext" in nb.metadata:
            problems.append(f"{rel}: notebook metadata still has 'jupytext'")
        for i, cell in enumerate(nb.cells):
            where = f"{rel}, cell {i + 1}"
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                problems.append(f"{where}: has outputs or an execution count")
            if any(k in cell.metadata for k in JUPYTEXT_CELL_KEYS):
                problems.append(f"{where}: has jupytext cell metadata")
            gid = nbk.grade_id(cell)
            if cell.cell_type == "code" and nbk.is_solution(cell):
                if f'raise NotImplementedError("Exercise {gid}:' not in cell.source:
                    problems.append(f"{where}: solution stub does not raise NotImplementedError naming {gid!r}")
        if not nb.cells or nb.cells[0].get("id") != NOTICE_ID:
            problems.append(f"{rel}: first cell is not the 'generated' notice")
    return problems
