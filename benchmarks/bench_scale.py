"""Grade a simulated class at scale with `coursekit grade --jobs 2`; project 3,000 students on N CI shards.

    python benchmarks/bench_scale.py --students 300 --jobs 2      (as root; the grading run's target is < 15 min)

The class comes from the banks: mostly correct answers (the reference or a
correct alternative), common mistakes (wrong bank entries), and a few
untouched, missing, malformed, tampered, hostile and warning submissions.
Printed: students per minute, peak memory (the largest sum of PSS over the
grader's whole process tree), where the time went (start-up and public tests,
hidden suites, writing outputs), and the projection for a class of 3,000 on N
shards of a GitHub Actions matrix.  The projection adds to each shard a
measured job start-up: restoring the cached venv (a zstd tar, as actions/cache
stores it, extracted here), building the gradebook from source/ (a fresh
checkout has none) and starting the fork-server; the grading time per student
is this run's.  Nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_grading import TreeMemory  # noqa: E402  (benchmarks/ is this script's folder)
from course_config import COURSE  # noqa: E402

# Profiles of simulate.student_notebooks and their share of the class.
MIX = {"perfect": 0.55, "mixed": 0.33, "stub": 0.02, "missing": 0.02, "malformed": 0.02, "tampered": 0.02,
       "hostile": 0.02, "warning": 0.02}
SHARDS = (1, 2, 4, 8, 10, 16, 20, 30, 50, 100)
JOB_LIMIT_S = 6 * 3600  # a hosted job's limit


def build_class(dest: Path, n: int, seed: int = COURSE.seed) -> dict[str, int]:
    """n submissions with profiles drawn from MIX (at least one of each); returns the count per profile."""
    import nbformat

    from coursekit.authoring import simulate

    rng = random.Random(seed)
    profiles = list(MIX)[: min(n, len(MIX))]
    profiles += rng.choices(list(MIX), weights=list(MIX.values()), k=n - len(profiles))
    rng.shuffle(profiles)
    for i, profile in enumerate(profiles):
        folder = dest / f"student{i + 1:04d}" / COURSE.assignment
        folder.mkdir(parents=True)
        for name, nb in simulate.student_notebooks(profile, rng).items():
            if nb is not None:
                (folder / f"{name}.ipynb").write_text(nb if isinstance(nb, str) else nbformat.writes(nb))
        (folder / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC\n")
    return {p: profiles.count(p) for p in MIX}


def grade(submitted: Path, out: Path, jobs: int, env: dict) -> dict:
    """Run `coursekit grade`, timestamping its progress lines; wall time, phases and peak PSS."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "coursekit", "grade", str(submitted), "--out", str(out),
                             "--jobs", str(jobs)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid)
    graded_at: list[float] = []
    log: list[str] = []
    for line in proc.stderr:
        log.append(line)
        if line.startswith("graded ") and "/" in line.split()[1]:
            graded_at.append(time.perf_counter() - start)
    proc.wait()
    wall, peak = time.perf_counter() - start, mem.stop()
    if proc.returncode != 0:
        sys.exit(f"coursekit grade failed ({proc.returncode}):\n{''.join(log[-40:])}")
    timing = json.loads((out / "autograded" / "timing.json").read_text())
    return {"wall": wall, "peak": peak, "first": graded_at[0] if graded_at else wall,
            "last": graded_at[-1] if graded_at else wall, "timing": timing}


def timed(cmd: list[str], env: dict, cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def venv_restore_seconds(tmp: Path) -> float:
    """Extract a zstd tar of .venv, as actions/cache restores it (the download itself is not measured)."""
    archive = tmp / "venv.tar.zst"
    subprocess.run(["tar", "--use-compress-program", "zstd -T0 -3", "-cf", str(archive), "-C", str(ROOT), ".venv"],
                   check=True)
    target = tmp / "restore"
    target.mkdir()
    start = time.perf_counter()
    subprocess.run(["tar", "--use-compress-program", "zstd -d", "-xf", str(archive), "-C", str(target)], check=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(target)
    archive.unlink()
    return seconds


GRADEBOOK = """
import sys, time
from dataclasses import replace
from pathlib import Path
from course_config import COURSE
from coursekit.authoring import release
t = time.perf_counter()
release.ensure_gradebook(replace(COURSE, gradebook=Path(sys.argv[1]) / "gradebook.db"))
print(time.perf_counter() - t)
"""
FORKSERVER = """
import time
t = time.perf_counter()
from coursekit.isolation.forkserver import ForkServer
with ForkServer() as server:
    pass
print(time.perf_counter() - t)
"""


def startup(tmp: Path, env: dict, restore: bool) -> dict[str, float]:
    """A shard job's fixed costs before its first student: venv restore, gradebook, fork-server."""
    def child(code: str, *args: str) -> float:
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            sys.exit(f"start-up measurement failed:\n{proc.stderr[-3000:]}")
        return float(proc.stdout.strip().splitlines()[-1])

    (tmp / "gb").mkdir()
    return {"venv restore (extract)": venv_restore_seconds(tmp) if restore else 0.0,
            "gradebook from source/": child(GRADEBOOK, str(tmp / "gb")),
            "fork-server start": child(FORKSERVER)}


def projection(per_student: float, fixed: dict[str, float], merge: float, students: int = 3000) -> list[str]:
    """Wall time of a grading run of `students` on N shards: collect job, the slowest shard job, merge job.

    A shard job is its start-up (venv restore, gradebook, fork-server) plus its students at this run's
    per-student time; collect and merge jobs each restore the venv too.  Queueing for runners is not included.
    """
    start = sum(fixed.values())
    restore = fixed["venv restore (extract)"]
    lines = [(f"projection for {students} students: {per_student:.2f} s per student (--jobs 2, 2 cores), "
              f"shard start-up {start:.0f} s, merge job {restore + merge:.0f} s, collect job {restore:.0f} s + collect"),
             f"{'shards':>7s} {'students/shard':>15s} {'shard job':>10s} {'whole run':>10s}"]
    for n in SHARDS:
        per_shard = math.ceil(students / n)
        job = start + per_student * per_shard
        flag = "  over the 6 h limit of a hosted job" if job > JOB_LIMIT_S else ""
        whole = restore + job + restore + merge
        lines.append(f"{n:7d} {per_shard:15d} {job / 60:8.1f} m {whole / 60:8.1f} m{flag}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-restore", dest="restore", action="store_false",
                        help="skip measuring the venv restore (it writes a 1-2 GB archive)")
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "MPLBACKEND": "Agg",
           "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        mix = build_class(tmp / "submitted", args.students)
        build_s = time.perf_counter() - t
        run = grade(tmp / "submitted", tmp / "out", args.jobs, env)
        merge_s = timed([sys.executable, "-m", "coursekit", "merge", str(tmp / "out"), "--out", str(tmp / "merged")],
                        env)
        merge_fixed = timed([sys.executable, "-c", "import coursekit.cli, coursekit.grading.merge"], env)  # imports
        fixed = startup(tmp, env, args.restore)
    report(args, mix, build_s, run, (merge_s, merge_fixed), fixed)


def report(args, mix: dict, build_s: float, run: dict, merge: tuple[float, float], fixed: dict) -> None:
    n, wall, timing = args.students, run["wall"], run["timing"]
    print(f"class: {n} students ({', '.join(f'{k} {v}' for k, v in mix.items())}), built in {build_s:.0f} s")
    print(f"coursekit grade --jobs {args.jobs}: {wall:.0f} s = {wall / 60:.1f} min, "
          f"{n / wall * 60:.1f} students per minute, {wall / n:.2f} s per student "
          f"(targets for 300 students: under 15 min, under 3 s per student)")
    print(f"peak memory (PSS of the process tree): {run['peak'] / 2**30:.2f} GiB (target < 3 GiB)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print("time per phase (wall clock):")
    print(f"  start-up and public tests (nbgrader), until the first student's hidden suites end: {run['first']:.0f} s")
    print(f"  hidden suites, first to last student: {run['last'] - run['first']:.0f} s")
    print(f"  writing outputs (CSVs, report, feedback, records): {wall - run['last']:.0f} s")
    print(f"  per worker (timing.json, summed over {args.jobs} workers / {args.jobs}): public "
          f"{timing['public_seconds'] / args.jobs:.0f} s, hidden {timing['hidden_seconds'] / args.jobs:.0f} s")
    merge_s, merge_fixed = merge
    print(f"coursekit merge of the {n} students' outputs: {merge_s:.1f} s ({merge_fixed:.1f} s of it start-up)")
    print("shard job start-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in fixed.items()))
    per_student = (wall - fixed["fork-server start"]) / n  # grade's own fork-server start is counted per shard
    merge_3000 = merge_fixed + (merge_s - merge_fixed) * 3000 / n
    for line in projection(per_student, fixed, merge_3000):
        print(line)


if __name__ == "__main__":
    main()
