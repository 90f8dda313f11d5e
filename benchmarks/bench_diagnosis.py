"""What diagnosis costs: the hidden step of a simulated class, with the time spent naming mistakes measured inside it.

    python benchmarks/bench_diagnosis.py --students 8      (as root: the students run in sandboxed children)

The class is simulate's (the demo's profiles: perfect, mixed with bank mistakes, stub, missing, malformed,
tampered, hostile, warning, repeated).  It is graded once, in this process (--jobs 1, no public step: the
public step does not diagnose), and the time the hidden runner spends in diagnosis (replaying the recorded
calls on the bank's wrong entries, cached for the run) is timed around HiddenPlugin._diagnose_current.
Printed: the hidden step's seconds, the diagnosis seconds and share, and how many rows got a diagnosis.
The diagnosis rate itself is `python -m coursekit diagnose`.  Nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coursekit.authoring import simulate  # noqa: E402
from coursekit.grading import hidden, pipeline  # noqa: E402
from coursekit.grading.discover import discover  # noqa: E402


def timed_diagnosis() -> list[float]:
    """Wrap the runner's per-student diagnosis in a timer; returns the list the seconds are added to."""
    spent = [0.0]
    original = hidden.HiddenPlugin._diagnose_current

    def timed(plugin):
        start = time.perf_counter()
        try:
            original(plugin)
        finally:
            spent[0] += time.perf_counter() - start

    hidden.HiddenPlugin._diagnose_current = timed
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diagnosis-") as tmp:
        submitted = Path(tmp) / "submitted"
        simulate.build_class(submitted, args.students)
        spent = timed_diagnosis()
        graded = pipeline.grade(discover(submitted), jobs=1, public=False, show_progress=False)
    hidden_s = graded.timing["hidden_seconds"]
    rows = [r for r in graded.rows if r.diagnosis is not None]
    print(f"{args.students} students: hidden step {hidden_s:.1f} s, of which diagnosis {spent[0]:.1f} s "
          f"({100 * spent[0] / hidden_s:.0f}%); {len(rows)} exercise rows diagnosed "
          f"({', '.join(sorted({r.diagnosis.slug for r in rows})) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
