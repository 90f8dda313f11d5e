"""The grader's side of a sandboxed child: one child per student, one handle per notebook.

`StudentSandbox` holds all of a student's notebooks and hands out one handle
per notebook (coursekit.isolation.child runs inside the child).  Every request
has a wall-clock deadline kept by the grader; a child that overruns it or dies
is killed and, for the next probe, forked again from the warm server, so one
runaway test costs only that test.
"""
from __future__ import annotations

import os
import select
import signal

import numpy as np

from coursekit.isolation import policy
from coursekit.isolation import probe as pr
from coursekit.isolation import wire


class Child:
    """The grader's handle on one sandboxed child process running one or more notebooks.

    It does not restart itself: a timeout or crash kills it and raises (StudentSandbox decides what next).
    """

    def __init__(self, server, notebooks: dict[str, list[tuple[str, str]]], limits):
        self.limits = limits
        self.requests = 0
        self.pid, self.sock = server.spawn([[name, [list(c) for c in cells]] for name, cells in notebooks.items()],
                                             limits)
        # Unbuffered reads: a buffered reader may take the next message off the socket along with this one,
        # and select() would then wait for data already read (the child sends one message per notebook).
        self.reader, self.writer = self.sock.makefile("rb", buffering=0), self.sock.makefile("wb")
        self.cell_errors: dict[str, list[dict]] = {}
        for name, cells in notebooks.items():  # each notebook's cells within their own time budget
            # an error names whose cells failed: StudentSandbox reports that notebook alone
            ran = self._receive(limits.cell_seconds * len(cells) + 5, "while running your notebook's cells", name)
            if ran.get("ran") != name:
                raise pr.ChildCrashed(f"the Python process running your code sent a garbled answer while "
                                      f"running your notebook's cells ({self.kill()})", notebook=name)
            self.cell_errors[name] = ran.get("cell_errors", [])

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def _receive(self, seconds: float, doing: str, notebook: str | None = None) -> dict:
        ready, _, _ = select.select([self.sock], [], [], seconds)
        if not ready:
            self.kill()
            raise pr.ProbeTimeout(f"your code took longer than {seconds:g} s {doing} and was stopped",
                                  notebook=notebook)
        try:
            return wire.recv(self.reader)
        except (EOFError, OSError, wire.WireError):
            status = self.kill()
            raise pr.ChildCrashed(f"the Python process running your code died {doing} ({status}); "
                                  "look for sys.exit, os._exit, signals or very large memory use",
                                  notebook=notebook) from None

    def request(self, notebook: str, probe, call: bytes) -> dict:
        self.requests += 1
        try:
            wire.send(self.writer, {"id": self.requests, "notebook": notebook, "name": probe.name,
                                    "source": probe.source, "call": np.frombuffer(call, dtype=np.uint8)})
        except OSError:  # it died since its last answer (a thread of the student's calling os._exit, say)
            status = self.kill()
            raise pr.ChildCrashed(f"the Python process running your code died before the test {probe.name!r} "
                                  f"({status}); look for sys.exit, os._exit, signals or threads") from None
        reply = self._receive(self.limits.probe_seconds, f"in the test {probe.name!r}")
        if reply.get("id") != self.requests or not ("ok" in reply or "error" in reply):
            status = self.kill()
            raise pr.ChildCrashed(f"the Python process running your code sent a garbled answer in the test "
                                  f"{probe.name!r} ({status}); look for os.fork or code that writes to "
                                  "file descriptors it did not open")
        if "error" in reply and reply["error"].get("missing"):
            reply["error"]["message"] += self._cell_error_hint(notebook)
        return reply

    def _cell_error_hint(self, notebook: str) -> str:
        errors = self.cell_errors.get(notebook) or []
        # the student's own cells first: an instructor cell's definitions may fail without the notebook's data
        errors = [e for e in errors if not str(e.get("ran", "")).startswith(("given ", "setup "))] or errors
        if not errors:
            return ""
        e = errors[0]
        where = f" in cell {e['cell']!r}, line {e['line']}" if e.get("cell") else ""
        return f" (running your notebook raised {e['type']}: {e['message'][:200]}{where})"

    def kill(self) -> str:
        """Kill the child (its whole PID namespace) and return how it ended."""
        status = "killed"
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                status = "exited"
        for f in (self.reader, self.writer, self.sock):
            try:
                f and f.close()
            except OSError:
                pass
        self.pid = self.sock = self.reader = self.writer = None
        return status


class StudentSandbox:
    """All of one student's notebooks in one sandboxed child, each notebook behind a handle of its own.

    One child per student rather than per notebook: starting a sandbox (two forks of the warm server, the
    lock-down, and the page faults a fresh process takes) costs about 60 ms of CPU, a third of a notebook's
    whole hidden-suite budget.  Notebooks keep separate namespaces and settings (NotebookState).  A notebook
    whose cells crash the child or run past their time budget is reported broken for all its tests, and the
    others start again without it.  After a probe crashes or times out, every notebook of the student gets a
    child of its own, as if graded alone, so a runaway test costs only its own notebook's tests.  The same
happens when an armed policy refuses a call because a thread or process left by earlier cells still runs
(coursekit.isolation.policy): in the shared child it may be another notebook's, so the call is asked
again in the notebook's own child, where only its own cells ran.
    """

    max_respawns = 3  # per notebook, after its first child

    def __init__(self, server, notebooks: dict[str, list[tuple[str, str]]], limits):
        self.server, self.notebooks, self.limits = server, notebooks, limits
        self.shared: Child | None = None
        self.shared_failed = False
        self.own: dict[str, Child] = {}
        self.failures: dict[str, int] = {}
        self.broken: dict[str, pr.ProbeError] = {}
        self.open_handles = 0
        self.cell_errors: dict[str, list[dict]] = {}  # notebook -> its cells' errors, from its first child

    def _started(self, child: Child) -> Child:
        for name, errors in child.cell_errors.items():
            self.cell_errors.setdefault(name, errors)
        return child

    def handle(self, notebook: str) -> "NotebookHandle":
        if notebook not in self.notebooks:
            raise KeyError(notebook)
        self.open_handles += 1
        return NotebookHandle(self, notebook)

    def release(self) -> None:
        self.open_handles -= 1
        if self.open_handles <= 0:
            self.close()

    def request(self, notebook: str, probe, call: bytes) -> dict:
        if notebook in self.broken:
            raise self.broken[notebook]
        if self.shared_failed:
            return self._own_request(notebook, probe, call)
        while self.shared is None:
            members = {name: cells for name, cells in self.notebooks.items() if name not in self.broken}
            try:
                self.shared = self._started(Child(self.server, members, self.limits))
            except pr.ProbeError as exc:  # a notebook's cells crashed or ran out of time: that notebook is broken
                self.broken[exc.notebook] = exc
                if exc.notebook == notebook:
                    raise
        try:
            reply = self.shared.request(notebook, probe, call)
        except (pr.ProbeTimeout, pr.ChildCrashed):  # this notebook's request broke it: it counts against this one
            self.shared_failed = True
            self._kill_shared()
            self.failures[notebook] = 1
            raise
        if len(self.shared.cell_errors) > 1 and _left_running(reply):
            # a thread or process left by another notebook's cells must not cost this notebook its rule-checked
            # exercises: from now on every notebook runs in a child of its own, as in Jupyter
            self.shared_failed = True
            self._kill_shared()
            return self._own_request(notebook, probe, call)
        return reply

    def _own_request(self, notebook: str, probe, call: bytes) -> dict:
        child = self.own.get(notebook)
        if child is None or not child.alive:
            if self.failures.get(notebook, 0) > self.max_respawns:
                raise pr.ChildCrashed("your code crashed or timed out too often; later tests were not run")
            try:
                child = self.own[notebook] = self._started(Child(self.server, {notebook: self.notebooks[notebook]},
                                                                 self.limits))
            except pr.ProbeError as exc:
                self.broken[notebook] = exc
                raise
        try:
            return child.request(notebook, probe, call)
        except (pr.ProbeTimeout, pr.ChildCrashed):
            self.failures[notebook] = self.failures.get(notebook, 0) + 1
            raise

    def _kill_shared(self) -> None:
        if self.shared is not None:
            self.shared.kill()
            self.shared = None

    def close(self) -> None:
        self._kill_shared()
        for child in self.own.values():
            child.kill()
        self.own.clear()


def _left_running(reply: dict) -> bool:
    """Whether a reply is an armed policy's refusal because a thread or process of earlier cells still runs."""
    error = reply.get("error") or {}
    return error.get("type") == "PolicyViolation" and policy.LEFT_RUNNING in str(error.get("message", ""))


class NotebookHandle(pr.Handle):
    """A hidden suite's handle on one notebook of a StudentSandbox."""

    def __init__(self, sandbox: StudentSandbox, notebook: str):
        self.sandbox, self.notebook = sandbox, notebook
        self._closed = False

    def _request(self, probe, call):
        return self.sandbox.request(self.notebook, probe, call)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.sandbox.release()


def sandboxed_notebook(server, notebook: str, cells: list[tuple[str, str]], limits) -> NotebookHandle:
    """A handle on one notebook graded alone in a sandbox of its own."""
    return StudentSandbox(server, {notebook: cells}, limits).handle(notebook)
