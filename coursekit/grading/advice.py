"""What each status means to a student, in words, and what to do about it."""
from __future__ import annotations

from course_config import COURSE

WORDS = {"ok": "passed", "failed": "failed", "error": "raised an error", "timeout": "timed out",
         "crashed": "crashed", "missing": "missing", "tampered": "test cell edited"}

# Statuses that mean the grader could not look at the work at all (shown apart from a plain zero).
NOT_GRADED = ("missing", "tampered", "crashed", "timeout", "error")


def for_status(status: str) -> str:
    """One or two sentences a student can act on."""
    limits = COURSE.limits
    return {
        "missing": "Submit the notebook under exactly this file name, in the assignment folder, and submit again.",
        "error": "Open the notebook in Jupyter, choose Kernel > Restart & Run All, fix the first cell that stops "
                 "with an error (or the file that will not open), save and submit again.",
        "timeout": f"Your code ran longer than the limit ({limits.cell_seconds:g} s per cell, "
                   f"{limits.probe_seconds:g} s per check). Look for an endless loop or a much larger "
                   "computation than the exercise needs.",
        "crashed": "Your code stopped the process running it (too much memory, a call that exits, or a "
                   f"signal). Memory is limited to {limits.memory_mb} MiB; remove exit() and os._exit calls.",
        "tampered": "A locked test cell was edited; the grader used the original. Copy the test cell back from "
                    "the released notebook and do not edit test cells.",
        "failed": "Read the failed checks below: each says which behaviour to fix.",
        "ok": "",
    }.get(status, "Ask your TA: the grader reported a status it does not explain.")
