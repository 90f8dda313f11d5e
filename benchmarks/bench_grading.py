"""Grade one simulated class with `coursekit grade` and with plain `nbgrader autograde`; print times and ratios.

    python benchmarks/bench_grading.py --students 20 --jobs 2

Both graders get the same submissions (perfect, mixed and untouched-release
students; no hostile ones, whose timeouts would only measure the timeout).
Plain nbgrader runs in a throwaway course with the default python3 kernel, as
a course would run it today; `coursekit grade` runs sandboxed, with nbgrader
for the public tests plus the hidden suites.  Peak memory is the largest sum
of proportional memory (PSS) over the grader's whole process tree, sampled every 100 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_config import COURSE  # noqa: E402


class TreeMemory:
    """Samples the total proportional memory (PSS) of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _children(self) -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                    tree.setdefault(ppid, []).append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        return tree

    def _rss(self, pid: int) -> int:
        """Proportional set size: a page shared by k processes counts 1/k to each.

        Forked children share the fork-server's torch pages copy-on-write; summing
        plain RSS would count those pages once per child (6 GB "used" on a machine
        whose free memory dropped by a fraction of that).
        """
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            tree, todo, total = self._children(), [self.pid], 0
            while todo:
                pid = todo.pop()
                total += self._rss(pid)
                todo += tree.get(pid, [])
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    mem = TreeMemory(proc.pid)
    out, _ = proc.communicate()
    peak = mem.stop()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{out[-3000:]}")
    return time.perf_counter() - start, peak, out


def build_class(dest: Path, n: int) -> None:
    from coursekit.authoring import simulate

    rng = random.Random(COURSE.seed)
    for i in range(n):
        profile = ("perfect", "mixed", "stub")[i % 3]
        folder = dest / f"student{i + 1:03d}" / COURSE.assignment
        folder.mkdir(parents=True)
        for name, nb in simulate.student_notebooks(profile, rng).items():
            import nbformat

            (folder / f"{name}.ipynb").write_text(nbformat.writes(nb))
        (folder / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC\n")


def plain_course(tmp: Path, submitted: Path) -> Path:
    """A throwaway course for plain nbgrader: its own config, gradebook copy, helper and submissions."""
    course = tmp / "plain"
    (course / "source" / COURSE.assignment).mkdir(parents=True)
    shutil.copy2(COURSE.source_dir / COURSE.assignment / COURSE.helper_module,
                 course / "source" / COURSE.assignment / COURSE.helper_module)
    shutil.copy2(COURSE.gradebook, course / "gradebook.db")
    shutil.copytree(submitted, course / "submitted")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
        f"c.CourseDirectory.course_id = {COURSE.course_id!r}\n")
    return course


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "MPLBACKEND": "Agg",
           "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        build_class(tmp / "submitted", args.students)
        course = plain_course(tmp, tmp / "submitted")
        plain_s, plain_mem, _ = timed([sys.executable, "-m", "nbgrader", "autograde", COURSE.assignment, "--force"],
                                      course, env)
        ours_s, ours_mem, log = timed([sys.executable, "-m", "coursekit", "grade", str(tmp / "submitted"),
                                       "--jobs", str(args.jobs), "--out", str(tmp / "ours")], ROOT, env)
        timing = json.loads((tmp / "ours" / "autograded" / "timing.json").read_text())
    n_nb = args.students * len(COURSE.tutorials)
    print(f"class: {args.students} students x {len(COURSE.tutorials)} notebooks = {n_nb} notebooks")
    print(f"plain nbgrader autograde (1 process):   {plain_s:7.1f} s   peak memory {plain_mem / 2**20:6.0f} MiB")
    print(f"coursekit grade --jobs {args.jobs} (sandboxed):  {ours_s:7.1f} s   peak memory {ours_mem / 2**20:6.0f} MiB")
    print(f"speed-up: {plain_s / ours_s:.2f}x (target >= 5x); {ours_s / args.students:.2f} s per student "
          f"(target < 3 s)")
    warm = timing["hidden_warm_seconds"] / max(1, timing["hidden_warm_notebooks"])
    print(f"hidden suites: {timing['hidden_seconds']:.1f} s in all (both workers, start-up included) for "
          f"{timing['notebooks']} notebooks; once warm {timing['hidden_warm_seconds']:.1f} s for "
          f"{timing['hidden_warm_notebooks']} notebooks = {warm:.3f} s per notebook (target < 0.2 s)")
    print(f"public tests (nbgrader in sandboxed kernels): {timing['public_seconds']:.1f} s in all")
    print(f"peak memory of coursekit grade --jobs {args.jobs}: {ours_mem / 2**30:.2f} GiB (target < 3 GiB)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
