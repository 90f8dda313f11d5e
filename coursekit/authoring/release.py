"""`python -m coursekit release`: validate the source, sync the twins, run nbgrader, publish release/ atomically.

Pipeline (release()):
1. validate(): every convention the grader relies on, checked on the py:percent twins before
   nbgrader runs; bad input is one NotebookError naming notebook and cell (exit code 2).
2. sync(): the source .ipynb files are rebuilt from their twins (coursekit.authoring.sync).
3. A temporary course root gets source/W2D1/: the notebooks rendered from the twins (cell ids
   of the committed .ipynb, no jupytext metadata, a "generated" notice cell), the helper module
   with a "generated copy" first line, and the other plain files (never the twins).
4. Real `nbgrader generate_assignment` runs on it as a subprocess, with ClearSolutions replaced
   by NamedStubs, so each stub raises NotImplementedError naming the exercise. The gradebook is
   updated on a copy that replaces COURSE.gradebook only on success.
5. The output is normalised (canonical JSON), checked (check_release: no solution or hidden-test
   line, no outputs, no jupytext metadata, no twins, named stubs) and swapped into release/W2D1.
   When nothing changed, release/ is left untouched, so running release twice is a no-op.
"""
from __future__ import annotations

import ast
import filecmp
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import course_config
from course_config import COURSE, Course
from coursekit import notebook as nbk
from coursekit.files import atomic_write, tool_env
from coursekit.authoring import sync as sy
from coursekit.notebook import NotebookError

NOTICE_ID = "generated-notice"
_GRADE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_MAGIC = re.compile(r"^\s*[%!]")
# Cell metadata jupytext keeps for its own round trip; none of it belongs in a student's notebook.
# Never shipped even if present in source/W2D1/: real data files (students point W2D1_DATA_DIR at them).
RELEASE_SKIP = ("data", "*.npz")
JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "skipline", "noskipline")
# nbgrader 0.9's GenerateAssignment.preprocessors with ClearSolutions replaced by NamedStubs
# (tests/unit/test_release_validation.py checks this list against the installed nbgrader).
PREPROCESSORS = (
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "coursekit.authoring.release.NamedStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
)


class ReleaseError(RuntimeError):
    """nbgrader failed, or the generated release broke a rule; release/ was not changed."""


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


def __getattr__(name):  # NamedStubs is built on first use: only the nbgrader subprocess imports nbgrader
    if name == "NamedStubs":
        return _named_stubs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=None)
def _named_stubs():
    from nbgrader.preprocessors import ClearSolutions

    class NamedStubs(ClearSolutions):
        """ClearSolutions whose code stub raises NotImplementedError naming the exercise and what to implement."""

        def _replace_solution_region(self, cell, language):
            if cell.cell_type != "code" or language != "python":
                return super()._replace_solution_region(cell, language)
            gid = nbk.grade_id(cell) or "?"
            lines = cell.source.split("\n")
            new_lines, in_solution, replaced = [], False, False
            for i, line in enumerate(lines):
                if self.begin_solution_delimeter in line:
                    if in_solution:
                        raise RuntimeError("encountered nested begin solution statements")
                    in_solution = replaced = True
                    indent = re.match(r"\s*", line).group(0)
                    new_lines += [indent + s for s in nbk.stub_lines(gid, nbk.enclosing_name(lines, i))]
                elif self.end_solution_delimeter in line:
                    in_solution = False
                elif not in_solution:
                    new_lines.append(line)
            if in_solution:
                raise RuntimeError("no end solution statement found")
            cell.source = "\n".join(new_lines)
            return replaced

    NamedStubs.__module__ = __name__
    return NamedStubs


def nbgrader_env() -> dict[str, str]:
    """Environment for nbgrader subprocesses: this interpreter's bin first on PATH (nbgrader runs `alembic`)."""
    return tool_env(pythonpath=course_config.ROOT)


def run_nbgrader(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` from the repo root (where nbgrader_config.py is); ReleaseError with its log on failure."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    try:
        proc = subprocess.run(cmd, cwd=course_config.ROOT, env=nbgrader_env(), capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ReleaseError(f"nbgrader {args[0]} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        log = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise ReleaseError(f"nbgrader {args[0]} failed (exit {proc.returncode}):\n{log}")
    return proc


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


def _ignore_patterns(course: Course) -> list[str]:
    return [*nbgrader_settings().CourseDirectory.get("ignore", []), *course.twin_names()]


def text_stub() -> str:
    return nbgrader_settings().ClearSolutions.get("text_stub") or "YOUR ANSWER HERE"


def is_ungraded_answer(cell) -> bool:
    """A markdown think-answer cell: solution: true, grade: false (docs/AUTHORING.md)."""
    return cell.cell_type == "markdown" and nbk.is_solution(cell) and not nbk.nbgrader_meta(cell).get("grade")


def clear_ungraded_answer(cell) -> None:
    """Replace the answer regions of a think-answer cell by the text stub and drop its nbgrader metadata.

    nbgrader refuses markdown solution cells that are not grade cells ("Markdown solution cell is
    not marked as a grade cell"), and think answers are not graded, so the release pipeline clears
    them itself and hands nbgrader a plain markdown cell.
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


def _ignored(rel: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pat) for part in rel.parts for pat in patterns)


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


def _stage_source(course: Course, rendered: dict[str, object], dest: Path) -> None:
    """Fill dest (a temporary source/<assignment>/) with what nbgrader should release."""
    folder = course.source_dir / course.assignment
    patterns = [*_ignore_patterns(course), *RELEASE_SKIP]
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_dir() or path.suffix == ".ipynb" or _ignored(rel, patterns):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.as_posix() == course.helper_module:
            target.write_text(_helper_notice(course) + path.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
    for name, nb in rendered.items():
        (dest / f"{name}.ipynb").write_text(sy.ipynb_text(student_notebook(nb, course, name)), encoding="utf-8")


def _normalise(release_dir: Path) -> None:
    """Canonical bytes: nbformat's JSON with a final newline; jupytext keys stripped (nbgrader keeps some)."""
    import nbformat

    for path in sorted(release_dir.rglob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        nb.metadata.pop("jupytext", None)
        for cell in nb.cells:
            for key in JUPYTEXT_CELL_KEYS:
                cell.metadata.pop(key, None)
        text = nbformat.writes(nb)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    for path in release_dir.rglob("*"):
        if path.is_file():
            os.chmod(path, 0o644)


def _same_tree(a: Path, b: Path) -> bool:
    if not (a.is_dir() and b.is_dir()):
        return False
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def _swap_in(new: Path, target: Path, scratch: Path) -> None:
    """Replace target by new with renames on one filesystem (target is absent only between two renames)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, scratch / "previous")
    os.replace(new, target)


def _replace_file(src: Path, dst: Path) -> None:
    """Copy src over dst atomically; dst keeps its permissions (a new gradebook is private: it holds hidden tests)."""
    mode = dst.stat().st_mode & 0o777 if dst.exists() else 0o600
    atomic_write(dst, Path(src).read_bytes(), mode=mode)


@dataclass
class Result:
    path: Path
    changed: bool
    seconds: float
    synced: list[Path]


def release(course: Course = COURSE, out_dir: Path | None = None, gradebook: Path | None = None,
            *, details: bool = False):
    """Generate the student release; return its folder (out_dir/<assignment>, default release/<assignment>).

    out_dir given: the repo is not touched (no sync of source/, a throwaway gradebook unless
    `gradebook` is given), which is how tests and `check` regenerate the release for comparison.
    details=True returns a Result (path, changed, seconds, synced) instead of the path.
    """
    start = time.perf_counter()
    notebooks = validate(course)
    synced: list[Path] = []
    if out_dir is None:
        synced = sy.sync(course)
        gradebook = gradebook or course.gradebook
    out_root = Path(out_dir) if out_dir is not None else course.release_dir
    target = out_root / course.assignment
    out_root.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".release-tmp-", dir=out_root.parent))
    try:
        rendered = {}
        for name in notebooks:
            py, ipynb = sy.paths(name, course)
            rendered[name] = sy.render(py, sy.read_previous(ipynb))
        _stage_source(course, rendered, scratch / "source" / course.assignment)
        db = scratch / "gradebook.db"
        if gradebook is not None and Path(gradebook).exists():
            shutil.copyfile(gradebook, db)
        run_nbgrader(["generate_assignment", course.assignment, "--force",
                      f"--CourseDirectory.root={scratch}",
                      f"--CourseDirectory.course_id={course.course_id}",
                      "--CourseDirectory.source_directory=source",
                      "--CourseDirectory.release_directory=release",
                      f"--CourseDirectory.db_url=sqlite:///{db}",
                      *[f"--GenerateAssignment.preprocessors={pp}" for pp in PREPROCESSORS]])
        new = scratch / "release" / course.assignment
        _normalise(new)
        problems = check_release(course, new, notebooks)
        if problems:
            raise ReleaseError("the generated release breaks the release rules; release/ was not changed:\n"
                               + "\n".join(f"  - {p}" for p in problems))
        if gradebook is not None:
            _replace_file(db, Path(gradebook))
        changed = not _same_tree(new, target)
        if changed:
            _swap_in(new, target, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = Result(target, changed, time.perf_counter() - start, synced)
    return result if details else target


def ensure_gradebook(course: Course = COURSE) -> Path:
    """The gradebook `nbgrader autograde` needs (git ignores it): built from source/ when missing, release/ untouched."""
    if not course.gradebook.exists():
        with tempfile.TemporaryDirectory(prefix="coursekit-gradebook-") as tmp:
            release(course, out_dir=Path(tmp) / "release", gradebook=course.gradebook)
    return course.gradebook


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
    elif not helper.read_text(encoding="utf-8").startswith(_helper_notice(course)):
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


def verify(course: Course = COURSE) -> list[str]:
    """For `check`: twins in sync, committed release equal to a fresh regeneration, and leak free."""
    problems: list[str] = []
    try:
        sy.sync(course, check=True)
    except NotebookError as exc:
        problems.append(str(exc))
    with tempfile.TemporaryDirectory(prefix="coursekit-verify-") as tmp:
        fresh = release(course, out_dir=Path(tmp) / "release")
        committed = course.release_dir / course.assignment
        if not _same_tree(fresh, committed):
            problems.append(f"{committed}: not what `make release` generates from source/ now; run `make release`")
    problems += check_release(course)
    return problems


def main(*, out: Path | None = None, course: Course = COURSE) -> int:
    """`coursekit release`: regenerate release/ (or OUT/<assignment>) and say what changed."""
    try:
        result = release(course, out_dir=out, details=True)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in result.synced:
        print(f"synced {path.name} from its twin")
    state = "updated" if result.changed else "unchanged"
    print(f"release {state}: {result.path} ({result.seconds:.1f} s)")
    return 0
