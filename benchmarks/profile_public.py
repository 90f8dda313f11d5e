"""Where the public step's time goes: per notebook, per cell and per kind of work, as `coursekit grade` runs it.

    python benchmarks/profile_public.py --students 4            (as root: the kernels are sandboxed)
    python benchmarks/profile_public.py --students 4 --json out.json

The class is perfect students (the reference solutions), so every cell runs
to the end as an honest submission's does.  The public step runs exactly as
`coursekit grade` runs it (coursekit.grading.public: the private course, the
fork-server's warm sandboxed kernels, the same nbgrader command line), except
that nbgrader runs under this script's `--inner` mode, which wraps nbgrader's
and nbclient's own methods with timers before handing over to nbgrader's
`main()`: the student's rows in the gradebook, each preprocessor, kernel
start and shutdown, each cell, and writing the notebook.  Nothing is changed
in what they do; the timers add well under a millisecond per call.

Printed: the fixed cost of the nbgrader command (interpreter, imports,
configuration), a table per notebook (kernel start, cells by kind, kernel
shutdown, nbgrader's bookkeeping and gradebook, writing), a table per kind
of work over the class, the slowest cells, and what the autograded notebooks
hold (images, stderr streams).  Cells are sorted into kinds by their source
(cell_kind below); a cell that both trains and plots counts as training.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- the inner mode: nbgrader under timers -------------------------------------------------------------------------

_EVENTS: list[dict] = []
_CURRENT = {"notebook": "", "student": "", "pass": ""}


def _event(kind: str, seconds: float, **extra) -> None:
    _EVENTS.append({"notebook": _CURRENT["notebook"], "student": _CURRENT["student"], "pass": _CURRENT["pass"],
                    "kind": kind, "seconds": seconds, **extra})


def _timed(owner, name: str, kind, **extra_of) -> None:
    """Replace owner.name by a timed wrapper (sync or async) that records an event of `kind`."""
    import asyncio
    import functools

    original = getattr(owner, name)
    label = kind if callable(kind) else (lambda *a, **k: kind)
    if asyncio.iscoroutinefunction(original):
        @functools.wraps(original)
        async def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                _event(label(*args, **kwargs), time.perf_counter() - t,
                       **{k: f(*args, **kwargs) for k, f in extra_of.items()})
    else:
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                _event(label(*args, **kwargs), time.perf_counter() - t,
                       **{k: f(*args, **kwargs) for k, f in extra_of.items()})
    setattr(owner, name, wrapper)


def _track_notebook(converter_cls) -> None:
    """Know which notebook and which pass (sanitize, autograde) every later event belongs to."""
    original = converter_cls.convert_single_notebook

    def wrapper(self, notebook_filename):
        _CURRENT["notebook"] = Path(notebook_filename).stem
        _CURRENT["pass"] = "sanitize+autograde"
        t = time.perf_counter()
        try:
            return original(self, notebook_filename)
        finally:
            _event("notebook total", time.perf_counter() - t)
    converter_cls.convert_single_notebook = wrapper


def _instrument() -> None:
    import nbclient.client as ncc
    from nbconvert.preprocessors import Preprocessor
    from nbconvert.writers import FilesWriter
    from nbgrader.api import Gradebook
    from nbgrader.converters.autograde import Autograde

    def student(self, assignment_id, student_id):
        _CURRENT.update(student=student_id, notebook="", pass_="")
        return "student setup (gradebook rows, copying files)"

    _timed(Autograde, "init_assignment", student)
    _track_notebook(Autograde)
    _timed(Preprocessor, "__call__", lambda self, nb, resources: f"preprocessor {type(self).__name__}")
    # nbconvert's ExecutePreprocessor calls nbclient's run_sync twins, bound when the class was made
    _timed(ncc.NotebookClient, "start_new_kernel", "kernel start (process)")
    _timed(ncc.NotebookClient, "start_new_kernel_client", "kernel start (client, channels)")
    _timed(ncc.NotebookClient, "_cleanup_kernel", "kernel shutdown")
    _timed(ncc.NotebookClient, "execute_cell", "cell",
           index=lambda self, cell, cell_index, *a, **k: cell_index,
           source=lambda self, cell, cell_index, *a, **k: cell.source,
           metadata=lambda self, cell, cell_index, *a, **k: dict(cell.metadata))
    _timed(FilesWriter, "write", "write notebook")
    _timed(Gradebook, "__init__", "gradebook session (open)")


def inner(out: Path, argv: list[str]) -> int:
    t0 = time.perf_counter()
    from nbgrader.apps.nbgraderapp import NbGraderApp
    imported = time.perf_counter() - t0
    _instrument()
    t1 = time.perf_counter()
    code = 0
    try:
        NbGraderApp.launch_instance(argv=argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        out.write_text(json.dumps({"import_seconds": imported, "app_seconds": time.perf_counter() - t1,
                                   "events": _EVENTS}))
    return code


# --- the outer mode: a class graded by the public step, then the tables -------------------------------------------

def cell_kind(source: str, metadata: dict) -> str:
    """What a cell mostly does, from its source (first match wins)."""
    grade = metadata.get("nbgrader", {})
    if grade.get("grade") and not grade.get("solution"):
        return "public test cells"
    if grade.get("solution"):
        return "solution cells (definitions)"
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    if "train(" in code.replace("def train(", ""):
        return "training"
    if "load_data(" in code or "get_hidden_activity(" in code:
        return "data (V1 data, stimuli, activity)"
    if "plt.show()" in code:
        return "figures"
    if all(line.startswith(("import ", "from ")) or not line.strip() or line.startswith((" ", ")"))
           or "=" in line and "environ" in line for line in code.splitlines()):
        return "imports"
    return "other cells"


def run_public(students: int, workdir: Path) -> tuple[dict, float, Path]:
    """Grade `students` perfect students' public step under the timers; (profile, wall seconds, course)."""
    import nbformat

    from course_config import COURSE
    from coursekit.authoring import ensure_gradebook, simulate
    from coursekit.grading import public as pub
    from coursekit.grading.discover import discover
    from coursekit.isolation import sandbox_kernel
    from coursekit.isolation.forkserver import ForkServer
    import random

    ensure_gradebook()
    rng = random.Random(COURSE.seed)
    for i in range(students):
        folder = workdir / "submitted" / f"student{i + 1:03d}" / COURSE.assignment
        folder.mkdir(parents=True)
        for name, nb in simulate.student_notebooks("perfect", rng).items():
            (folder / f"{name}.ipynb").write_text(nbformat.writes(nb))
    found = discover(workdir / "submitted")
    out = workdir / "profile.json"
    with ForkServer() as server:
        course, kernels = workdir / "course", workdir / "jupyter"
        pub.prepare(course, {f.slug: f.notebooks for f in found})
        sandbox_kernel.install_kernelspec(kernels, name=pub.KERNEL_NAME)
        start = time.perf_counter()
        pub.autograde(course, kernels, workdir / "nbgrader.log", server.kernel_socket,
                      nbgrader=[sys.executable, str(Path(__file__).resolve()), "--inner", str(out), "--"])
        wall = time.perf_counter() - start
    return json.loads(out.read_text()), wall, course


def tables(profile: dict, wall: float, students: int) -> list[str]:
    events = profile["events"]
    notebooks = sorted({e["notebook"] for e in events if e["notebook"]})
    per_nb: dict[str, dict[str, float]] = {nb: defaultdict(float) for nb in notebooks}
    cells: list[tuple[float, str, int, str]] = []
    for e in events:
        nb, kind, s = e["notebook"], e["kind"], e["seconds"]
        if not nb:
            continue
        if kind == "cell":
            kind = cell_kind(e["source"], e["metadata"])
            cells.append((s, nb, e["index"], kind, (e["source"].strip().splitlines() or [""])[0][:60]))
        elif kind == "preprocessor Execute":
            kind = "Execute (all)"
        per_nb[nb][kind] += s
    for nb, row in per_nb.items():  # what Execute spent outside kernel start, cells and shutdown
        inside = sum(v for k, v in row.items() if k.startswith(("kernel", "public", "solution", "training", "data",
                                                               "figures", "imports", "other")))
        row["kernel_info reply, nbclient between cells"] = row.pop("Execute (all)", 0.0) - inside
        bookkeeping = row.pop("notebook total", 0.0) - sum(v for k, v in row.items() if k != "gradebook session (open)")
        row["nbgrader: reading, other preprocessors"] = bookkeeping
    setup = sum(e["seconds"] for e in events if e["kind"].startswith("student setup"))
    fixed = wall - profile["app_seconds"] + (profile["app_seconds"] - setup - sum(
        e["seconds"] for e in events if e["kind"] == "notebook total"))
    kinds = sorted({k for row in per_nb.values() for k in row}, key=lambda k: -sum(r.get(k, 0) for r in per_nb.values()))
    lines = [f"public step of {students} perfect students: {wall:.1f} s wall, {wall / students:.2f} s per student",
             f"  nbgrader command's fixed cost (interpreter, imports {profile['import_seconds']:.1f} s, config, "
             f"listing): {fixed:.1f} s; per student: gradebook rows and files {setup / students:.2f} s",
             "", f"seconds per notebook (mean over {students} students)",
             f"  {'kind of work':42s}" + "".join(f"{nb.removeprefix('W2D1_'):>11s}" for nb in notebooks)
             + f"{'all three':>11s}{'share':>7s}"]
    total = sum(sum(r.values()) for r in per_nb.values()) / students
    for k in kinds:
        vals = [per_nb[nb].get(k, 0.0) / students for nb in notebooks]
        if sum(vals) < 0.0005 and k != "gradebook session (open)":
            continue
        note = "  (inside preprocessors)" if k == "gradebook session (open)" else ""
        lines.append(f"  {k:42s}" + "".join(f"{v:11.3f}" for v in vals) + f"{sum(vals):11.3f}"
                     + (f"{100 * sum(vals) / total:6.0f}%" if not note else "      -") + note)
    sums = [sum(v for k, v in per_nb[nb].items() if k != "gradebook session (open)") / students for nb in notebooks]
    lines.append(f"  {'total':42s}" + "".join(f"{v:11.3f}" for v in sums) + f"{sum(sums):11.3f}")
    lines += ["", "slowest cells (mean seconds per run)"]
    by_cell: dict[tuple, list[float]] = defaultdict(list)
    for s, nb, index, kind, first in cells:
        by_cell[(nb, index, kind, first)].append(s)
    for (nb, index, kind, first), times in sorted(by_cell.items(), key=lambda kv: -sum(kv[1]))[:12]:
        lines.append(f"  {sum(times) / len(times):7.3f}  {nb.removeprefix('W2D1_')} cell {index:3d}  {kind:32s} {first}")
    return lines


def outputs(course: Path) -> str:
    """What the autograded notebooks hold: images and stderr streams (what figures cost in the files)."""
    import nbformat

    images = size = stderr = 0
    for path in course.glob("autograded/*/*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" in data:
                    images += 1
                    size += len(data["image/png"])
                stderr += out.get("name") == "stderr"
    return f"autograded notebooks hold {images} PNG images ({size / 2**20:.1f} MiB base64) and {stderr} stderr streams"


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--inner":
        return inner(Path(sys.argv[2]), sys.argv[sys.argv.index("--") + 1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the raw events here")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    from coursekit.isolation import scratch

    with scratch.TemporaryDirectory("profile") as tmp:
        profile, wall, course = run_public(args.students, Path(tmp))
        lines = tables(profile, wall, args.students) + ["", outputs(course)]
    print("\n".join(lines))
    print(f"load average when done: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps({"wall": wall, **profile}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
