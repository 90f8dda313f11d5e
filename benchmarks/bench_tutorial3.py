"""Times Tutorial 3 run top to bottom, as a student runs it and as nbgrader autograde runs it (shortened training).

Usage: python benchmarks/bench_tutorial3.py [--repeat N]

Each run executes the source notebook in a fresh kernel started from the
notebook's folder (so `w2d1_helpers` imports as it does for students); the
executed copy is discarded, nothing is written to source/.  Budgets: 90 s for
a full run and 20 s with NBGRADER_EXECUTION set, on 2 cores.
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
NOTEBOOK = ROOT / "source" / "W2D1" / "W2D1_Tutorial3.ipynb"
BUDGETS = {"student run": 90.0, "autograde run (NBGRADER_EXECUTION=autograde)": 20.0}


def run_once(autograde: bool) -> float:
    """Seconds to execute the notebook, kernel start and shutdown included."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    saved = os.environ.pop("NBGRADER_EXECUTION", None)
    if autograde:
        os.environ["NBGRADER_EXECUTION"] = "autograde"  # the kernel inherits this environment
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        os.environ.pop("NBGRADER_EXECUTION", None)
        if saved is not None:
            os.environ["NBGRADER_EXECUTION"] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode (the median is reported)")
    args = parser.parse_args(argv)
    print(f"{NOTEBOOK.relative_to(ROOT)} on {os.cpu_count()} cores")
    over = False
    for (label, budget), autograde in zip(BUDGETS.items(), (False, True)):
        times = [run_once(autograde) for _ in range(args.repeat)]
        median = statistics.median(times)
        over |= median > budget
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"  {label:48s} {median:6.1f} s  (budget {budget:.0f} s; runs: {runs})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
