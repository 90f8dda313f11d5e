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

import filecmp
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import course_config
from course_config import COURSE, Course
from coursekit.files import atomic_write, tool_env
from coursekit.authoring import sync as sy
from coursekit.notebook import NotebookError
from coursekit.authoring.leaks import check_release, secret_and_public_lines  # noqa: F401 - re-exported for check
from coursekit.authoring.rules import validate
from coursekit.authoring.student_copy import (  # noqa: F401 - NOTICE_ID re-exported
    JUPYTEXT_CELL_KEYS, NOTICE_ID, helper_notice, nbgrader_settings, student_notebook)

# Never shipped even if present in source/W2D1/: real data files (students point W2D1_DATA_DIR at them).
RELEASE_SKIP = ("data", "*.npz")
# nbgrader 0.9's GenerateAssignment.preprocessors with ClearSolutions replaced by NamedStubs
# (tests/unit/test_release_validation.py checks this list against the installed nbgrader).
PREPROCESSORS = (
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "coursekit.authoring.stubs.NamedStubs",
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


def _ignore_patterns(course: Course) -> list[str]:
    return [*nbgrader_settings().CourseDirectory.get("ignore", []), *course.twin_names()]


def _ignored(rel: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pat) for part in rel.parts for pat in patterns)


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
            target.write_text(helper_notice(course) + path.read_text(encoding="utf-8"), encoding="utf-8")
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
