"""Public tests: real `nbgrader autograde` with every kernel started inside the sandbox.

nbgrader runs in a private course folder built for the shard: the submitted
notebooks, the helper module and a copy of the gradebook, nothing else, so a
kernel that escaped its Landlock view would still find no secret.  The kernel
is the `coursekit-sandbox` kernelspec over jupyter_client's ipc transport.
A test cell's verdict is read from the autograded notebook: it passed when it
produced no error output; stderr text (a warning) is not a failure, unlike
nbgrader's own score.  Deleted or edited test cells are restored by nbgrader
and reported as tampered.  Before nbgrader sees a notebook, the nbgrader
metadata an editor renamed or stripped is put back where the grader's own
reading of the cells (coursekit.grading.submission) finds the solution and
test cells, so nbgrader never drops a notebook over its metadata.

Speed (benchmarks/profile_public.py prints where the time goes): kernels are
forked warm by the fork-server, which also hands each one the V1 data it
would otherwise generate; they draw figures with Agg, so nothing is rendered
to PNG; nbclient kills a kernel once its last cell has answered instead of
waiting for a graceful exit.  None of this changes what a notebook computes
or what nbgrader records.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_config import COURSE, ROOT
from coursekit import notebook as nbk
from coursekit.files import tool_env
from coursekit.grading import submission

NBGRADER_CONFIG = """\
import sys
sys.path.insert(0, {root!r})
import course_config
c = get_config()
course_config.nbgrader_settings(c)
c.CourseDirectory.root = {course!r}
c.CourseDirectory.db_url = "sqlite:///{course}/gradebook.db"
c.Execute.kernel_name = {kernel!r}
# a fresh private folder per kernel holding its connection file and ipc sockets (TCP cannot cross the netns)
c.Execute.kernel_manager_class = "coursekit.isolation.sandbox_kernel.AsyncSandboxKernelManager"
c.Execute.timeout = {timeout}
c.Execute.startup_timeout = 60
# every output is in once the last cell has run: kill the kernel rather than wait for it to say goodbye (0.1-0.2 s)
c.Execute.shutdown_kernel = "immediate"
"""


@dataclass
class PublicResult:
    passed: bool
    status: str  # ok, failed, timeout, crashed, missing
    message: str = ""
    tampered: str = ""  # why the test cell counts as tampered, if it does


def test_cells(nb) -> dict[str, object]:
    return {nbk.grade_id(c): c for c in nb.cells if nbk.is_test(c)}


def tampering(submitted_nb, release_nb) -> dict[str, str]:
    """grade_id -> reason, for public test cells the student deleted or edited."""
    theirs = test_cells(submission.restore_metadata(submitted_nb, release_nb))
    out = {}
    for gid, cell in test_cells(release_nb).items():
        if gid not in theirs:
            out[gid] = "the public test cell was deleted (it was restored for grading)"
        elif submission.normalized(theirs[gid].source) != submission.normalized(cell.source):
            out[gid] = "the public test cell was edited (the original was restored for grading)"
    return out


def cell_verdict(cell) -> tuple[bool, str, str]:
    """(passed, status, message) of one executed test cell."""
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return False, "crashed", "the notebook stopped before this test ran (the kernel died or timed out)"
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            name, value = out.get("ename", "Error"), out.get("evalue", "")
            status = "timeout" if "CellTimeoutError" in name or "Timeout" in name else "failed"
            return False, status, f"public test failed: {name}: {value}"[:500]
    return True, "ok", ""


def prepare(course: Path, students: dict[str, dict[str, Path]]) -> None:
    """Lay out a private nbgrader course: submissions, helper module, gradebook copy, config."""
    assignment = COURSE.assignment
    src = course / "source" / assignment
    src.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COURSE.source_dir / assignment / COURSE.helper_module, src / COURSE.helper_module)
    shutil.copy2(COURSE.gradebook, course / "gradebook.db")
    for sid, notebooks in students.items():
        dest = course / "submitted" / sid / assignment
        dest.mkdir(parents=True, exist_ok=True)
        for name, path in notebooks.items():
            _write_restored(path, dest / f"{name}.ipynb", submission.release_notebook(name))
        stamp = path.parent / "timestamp.txt"
        if stamp.exists():
            shutil.copy2(stamp, dest / "timestamp.txt")
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(
        root=str(ROOT), course=str(course), kernel=KERNEL_NAME, timeout=int(COURSE.limits.cell_seconds)))


KERNEL_NAME = "coursekit-sandbox"


def _write_restored(path: Path, dest: Path, release_nb) -> None:
    """The submission as nbgrader should read it (submission.restore_metadata); a copy if it cannot be read."""
    try:
        nb = submission.restore_metadata(nbk.read(path), release_nb)
        nbformat.write(nb, str(dest))
    except Exception:  # noqa: BLE001 - unreadable or invalid: nbgrader then reports the file as it finds it
        shutil.copy2(path, dest)


def autograde(course: Path, jupyter_path: Path, log: Path, kernel_socket: str | None = None,
              nbgrader: list[str] | None = None) -> int:
    """Run real nbgrader autograde in the private course; returns its exit code.

    kernel_socket: a fork-server's kernel socket, so each kernel is forked
    warm (torch and friends imported) instead of started from scratch.
    nbgrader: the command that runs nbgrader (default `python -m nbgrader`;
    benchmarks/profile_public.py puts its timers in front).
    """
    env = tool_env(pythonpath=ROOT, JUPYTER_PATH=str(jupyter_path), MPLBACKEND="Agg")
    if kernel_socket:
        from coursekit.isolation.sandbox_kernel import ENV_SERVER
        env[ENV_SERVER] = kernel_socket
    submitted = sorted(p for p in (course / "submitted").iterdir() if p.is_dir())
    budget = COURSE.limits.notebook_seconds * len(COURSE.tutorials)
    with open(log, "w") as fh:
        command = nbgrader or [sys.executable, "-m", "nbgrader"]
        code = _nbgrader(command, ["--force"], course, env, fh, budget * max(1, len(submitted)))
        # nbgrader drops a student's whole folder when one notebook kills its kernel: grade what was lost
        # again one notebook at a time, so only the notebook at fault stays ungraded.
        for student in submitted:
            for nb in sorted(student.glob(f"{COURSE.assignment}/*.ipynb")):
                if not (course / "autograded" / student.name / COURSE.assignment / nb.name).exists():
                    code |= _nbgrader(command, ["--force", "--student", student.name, "--notebook", nb.stem],
                                      course, env, fh, budget)
    return code


def _nbgrader(command: list[str], options: list[str], course: Path, env: dict, log, timeout: float) -> int:
    try:
        return subprocess.run([*command, "autograde", COURSE.assignment, *options],
                              cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f"nbgrader autograde {' '.join(options)} ran over {timeout:g} s and was stopped", file=log)
        return 1


def results(course: Path, students: dict[str, dict[str, Path]], release: dict[str, object]
            ) -> dict[tuple[str, str], PublicResult]:
    """(student_id, grade_id) -> PublicResult, read from the autograded notebooks."""
    out = {}
    for sid, notebooks in students.items():
        for name, submitted in notebooks.items():
            graded_path = course / "autograded" / sid / COURSE.assignment / f"{name}.ipynb"
            tampered = tampering(nbk.read(submitted), release[name])
            graded = test_cells(nbformat.read(graded_path, as_version=4)) if graded_path.exists() else {}
            for ex in COURSE.exercises_in(name):
                cell = graded.get(ex.test_cell)
                if cell is None:
                    res = PublicResult(False, "crashed", "nbgrader could not run this notebook "
                                                         "(the kernel died or the notebook could not be read)")
                else:
                    res = PublicResult(*cell_verdict(cell))
                res.tampered = tampered.get(ex.test_cell, "")
                out[(sid, ex.grade_id)] = res
    return out
