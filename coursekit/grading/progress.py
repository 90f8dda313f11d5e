"""Progress of a grading run: a tqdm bar on a terminal, plain log lines in CI."""
from __future__ import annotations

import queue as queue_mod
import sys


class Progress:
    def __init__(self, total: int, enabled: bool = True):
        self.total, self.count = total, 0
        self.enabled = enabled
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="student", desc="grading", file=sys.stderr)

    def done(self, student_id: str) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(student_id)
            self.bar.update(1)
        elif self.enabled:
            print(f"graded {self.count}/{self.total}: {student_id}", file=sys.stderr, flush=True)

    def drain(self, queue, timeout: float) -> None:
        """Report every student id a worker has put on the queue."""
        try:
            while True:
                self.done(queue.get(timeout=timeout) if timeout else queue.get_nowait())
        except queue_mod.Empty:
            return

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
