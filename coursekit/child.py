"""A submission's sandboxed child: runs the chosen cells, then answers probe requests with plain data.

`main` runs inside the child (already sandboxed by the fork-server); `Child`
is the grader's handle on it.  Every request has a wall-clock deadline kept
by the grader; a child that overruns it or dies is killed and, for the next
probe, forked again from the warm server, so one runaway test costs only
that test.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import sys

from coursekit import probe as pr
from coursekit import wire


class CellTimeout(BaseException):
    """Raised in a cell that ran past its time limit (BaseException, so `except Exception` can't swallow it)."""


def _on_alarm(signum, frame):
    raise CellTimeout("this cell ran longer than its time limit and was stopped")


def main(fd: int, cells: list, cell_seconds: float) -> None:
    """Child entry point: execute cells under a per-cell alarm, then serve probes until the grader hangs up."""
    stream = socket.socket(fileno=fd).makefile("rwb")
    me = os.getpid()
    # A process the student's code forks must not answer the grader: its copy of the socket is closed at once
    # (and, for forks that bypass os.fork, every reply below checks who is sending).
    os.register_at_fork(after_in_child=lambda: os.close(fd))
    _quiet_output()
    signal.signal(signal.SIGALRM, _on_alarm)
    ns = pr.Namespace()
    errors = []
    for label, source in cells:
        signal.setitimer(signal.ITIMER_REAL, cell_seconds)
        try:
            pr.exec_cell(ns, source, label)
        except BaseException as exc:  # noqa: BLE001 - a failing student cell must not stop the others
            errors.append(pr.error_payload(exc))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    _only_from(me)
    wire.send(stream, {"ready": True, "cell_errors": errors})
    while True:
        try:
            request = wire.recv(stream)
        except EOFError:
            os._exit(0)
        reply = pr.run_in_namespace(ns, pr.Probe(request["name"], request["source"]),
                                    tuple(request["args"]), request["kwargs"])
        reply["id"] = request.get("id")
        _only_from(me)
        try:
            wire.send(stream, reply)
        except wire.WireError as exc:
            wire.send(stream, {"id": request.get("id"), "error": {
                "type": "TypeError", "message": f"your code returned {exc}", "cell": None, "line": None,
                "text": None}})


def _only_from(me: int) -> None:
    """Leave quietly if this is not the child the grader forked (a copy made by the student's code)."""
    if os.getpid() != me:
        os._exit(0)


def _quiet_output() -> None:
    """Student prints go to a file in scratch (size-capped by RLIMIT_FSIZE), not to the grader's terminal."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    out = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)


class Child(pr.Handle):
    """The grader's handle on one notebook's sandboxed child."""

    max_respawns = 3

    def __init__(self, server, cells: list[tuple[str, str]], limits):
        self.server, self.cells, self.limits = server, cells, limits
        self.pid = None
        self.sock = self.stream = None
        self.cell_errors: list[dict] = []
        self.respawns = 0
        self.requests = 0
        self._spawn()

    def _spawn(self) -> None:
        self.pid, self.sock = self.server.spawn(self.cells)
        self.stream = self.sock.makefile("rwb")
        budget = self.limits.cell_seconds * len(self.cells) + 5
        hello = self._receive(budget, "while running your notebook's cells")
        self.cell_errors = hello.get("cell_errors", [])

    def _receive(self, seconds: float, doing: str) -> dict:
        ready, _, _ = select.select([self.sock], [], [], seconds)
        if not ready:
            self.kill()
            raise pr.ProbeTimeout(f"your code took longer than {seconds:g} s {doing} and was stopped")
        try:
            return wire.recv(self.stream)
        except (EOFError, OSError, wire.WireError):
            status = self.kill()
            raise pr.ChildCrashed(f"the Python process running your code died {doing} ({status}); "
                                  "look for sys.exit, os._exit, signals or very large memory use") from None

    def _request(self, probe, args, kwargs):
        if self.sock is None:
            if self.respawns >= self.max_respawns:
                raise pr.ChildCrashed("your code crashed or timed out too often; later tests were not run")
            self.respawns += 1
            self._spawn()
        self.requests += 1
        wire.send(self.stream, {"id": self.requests, "name": probe.name, "source": probe.source,
                                "args": list(args), "kwargs": kwargs})
        reply = self._receive(self.limits.probe_seconds, f"in the test {probe.name!r}")
        if reply.get("id") != self.requests or not ("ok" in reply or "error" in reply):
            status = self.kill()
            raise pr.ChildCrashed(f"the Python process running your code sent a garbled answer in the test "
                                  f"{probe.name!r} ({status}); look for os.fork or code that writes to "
                                  "file descriptors it did not open")
        if "error" in reply and reply["error"].get("missing"):
            reply["error"]["message"] += self._cell_error_hint()
        return reply

    def _cell_error_hint(self) -> str:
        if not self.cell_errors:
            return ""
        e = self.cell_errors[0]
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
        for f in (self.stream, self.sock):
            try:
                f and f.close()
            except OSError:
                pass
        self.pid = self.sock = self.stream = None
        return status

    def close(self) -> None:
        self.kill()
