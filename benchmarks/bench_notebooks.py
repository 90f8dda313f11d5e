"""Times each tutorial run top to bottom, as a student runs it and as nbgrader autograde runs it.

Usage: python benchmarks/bench_notebooks.py [--repeat N] [--only Tutorial1 ...]

Each run executes the source notebook in a fresh kernel started from the
notebook's folder (so `w2d1_helpers` imports as it does for students); the
executed copy is discarded, nothing is written to source/.  With
NBGRADER_EXECUTION set the notebooks shorten their training.  Budgets on
2 cores (issues 4-6): Tutorial 1 60 s / 15 s, Tutorial 2 60 s / 60 s (no
training to shorten), Tutorial 3 90 s / 20 s.  Each row prints the ratio
of the median to its budget; the exit code is 1 if any ratio exceeds 1.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "source" / "W2D1"
# notebook -> (budget of a student run, budget of an autograde run), seconds
BUDGETS = {"W2D1_Tutorial1": (60.0, 15.0), "W2D1_Tutorial2": (60.0, 60.0), "W2D1_Tutorial3": (90.0, 20.0)}
MODES = ("student run", "autograde run (NBGRADER_EXECUTION=autograde)")


def run_once(notebook: Path, autograde: bool) -> float:
    """Seconds to execute the notebook, kernel start and shutdown included."""
    nb = nbformat.read(notebook, as_version=4)
    saved = os.environ.pop("NBGRADER_EXECUTION", None)
    if autograde:
        os.environ["NBGRADER_EXECUTION"] = "autograde"  # the kernel inherits this environment
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(notebook.parent)}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        os.environ.pop("NBGRADER_EXECUTION", None)
        if saved is not None:
            os.environ["NBGRADER_EXECUTION"] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook and mode (the median is reported)")
    parser.add_argument("--only", nargs="*", default=[], help="notebook names or suffixes, e.g. Tutorial1")
    args = parser.parse_args(argv)
    print(f"notebooks in {FOLDER.relative_to(ROOT)} on {os.cpu_count()} cores")
    over = False
    for name, budgets in BUDGETS.items():
        if args.only and not any(name.endswith(o) for o in args.only):
            continue
        for label, budget, autograde in zip(MODES, budgets, (False, True)):
            times = [run_once(FOLDER / f"{name}.ipynb", autograde) for _ in range(args.repeat)]
            median = statistics.median(times)
            over |= median > budget
            runs = ", ".join(f"{t:.1f}" for t in times)
            print(f"  {name:15s} {label:46s} {median:6.1f} s  budget {budget:3.0f} s  "
                  f"ratio {median / budget:4.2f}  (runs: {runs})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
