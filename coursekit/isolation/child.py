"""Inside the sandboxed child: run the chosen cells, then answer probe requests with plain data.

This is the only module whose code runs beside student code; the grader's side
of the conversation is coursekit.isolation.handle.
"""
from __future__ import annotations

import ast
import os
import signal
import socket
import sys
import traceback
import warnings

import numpy as np

from coursekit.isolation import policy
from coursekit.isolation import probe as pr
from coursekit.notebook import cell_filename
from coursekit.isolation import wire


STRAY_SECONDS = 2.0  # how long the cells' forked copies get to end before probes are served


class CellTimeout(BaseException):
    """Raised in a cell that ran past its time limit (BaseException, so `except Exception` can't swallow it)."""


def _on_alarm(signum, frame):
    raise CellTimeout("this cell ran longer than its time limit and was stopped")


def main(fd: int, notebooks: list, cell_seconds: float) -> None:
    """Child entry point: run each notebook's cells under a per-cell alarm, then serve probes until the grader
    hangs up.  notebooks: [name, [(label, source), ...]] pairs; each notebook gets its own namespace and its
    own copy of the process-wide settings a notebook can change (see NotebookState)."""
    stream = socket.socket(fileno=fd).makefile("rwb")
    me = os.getpid()
    # A process the student's code forks must not answer the grader: its copy of the socket is closed at once
    # (and, for forks that bypass os.fork, every reply below checks who is sending).
    os.register_at_fork(after_in_child=lambda: os.close(fd))
    _quiet_output()
    policy.confine_workers()  # an armed policy now holds in every thread and process of this child
    signal.signal(signal.SIGALRM, _on_alarm)
    fresh = NotebookState.capture()
    spaces: dict[str, pr.Namespace] = {}
    states: dict[str, NotebookState] = {}
    errors: dict[str, list] = {}
    for name, cells in notebooks:
        fresh.restore()
        spaces[name], errors[name] = pr.Namespace(), []
        for label, source in cells:
            try:
                _run_cell(spaces[name], source, label, cell_seconds)
            except BaseException as exc:  # noqa: BLE001 - a failing student cell must not stop the others
                errors[name].append({**pr.error_payload(exc), "ran": label})  # the cell that was running
                rest = definitions_after(source, label, exc)
                try:
                    rest and _run_cell(spaces[name], rest, label, cell_seconds)
                except BaseException:  # noqa: BLE001, S110 - already reported: the cell's first error
                    pass
            _only_from(me)  # a copy of this process that the cell forked ends with the cell, as it would reach here
        states[name] = NotebookState.capture()
        wire.send(stream, {"ran": name, "cell_errors": errors[name]})  # the grader times each notebook
    policy.let_copies_end(STRAY_SECONDS)  # so copies a last cell forked are gone before the first rule-checked probe
    while True:
        try:
            request = wire.recv(stream)
        except EOFError:
            os._exit(0)
        name = request.get("notebook")
        if name not in spaces:
            reply = {"error": {"type": "LookupError", "message": f"no notebook {name!r} in this child",
                               "cell": None, "line": None, "text": None}}
        else:
            states[name].restore()
            reply = pr.run_in_namespace(spaces[name], pr.Probe(request["name"], request["source"]),
                                        request["call"].tobytes(), copy=False)
            states[name] = NotebookState.capture()
        reply["id"] = request.get("id")
        _only_from(me)
        try:
            wire.send(stream, reply)
        except wire.WireError as exc:
            wire.send(stream, {"id": request.get("id"), "error": {
                "type": "TypeError", "message": f"your code returned {exc}", "cell": None, "line": None,
                "text": None}})


def _run_cell(ns, source: str, label: str, seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        pr.exec_cell(ns, source, label)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def definitions_after(source: str, label: str, exc: BaseException) -> str:
    """The imports, functions and classes of a cell that come after the top-level statement that raised.

    Jupyter stops a cell at its first error, but here a cell may fail on a name that only the instructor's
    skipped cells define (the notebook's data): what the student defined below that line must still exist.
    Other lines are blanked, so line numbers in later tracebacks stay those of the cell.
    """
    filename = cell_filename(label)
    line = next((n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == filename),
                None)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    if line is None:
        return ""
    failed = next((node.end_lineno for node in tree.body if node.lineno <= line <= node.end_lineno), line)
    lines, keep = source.splitlines(), set()
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if start > failed and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                ast.Import, ast.ImportFrom)):
            keep.update(range(start, node.end_lineno + 1))
    return "\n".join(ln if i + 1 in keep else "" for i, ln in enumerate(lines)) if keep else ""


class NotebookState:
    """Process-wide settings a notebook's code may change, kept per notebook when one child runs several.

    In Jupyter each notebook has a kernel of its own; here one child runs all of a student's notebooks, so
    a notebook that sets, say, torch's default dtype or turns gradients off must not change how another
    notebook's code behaves.  Each notebook's cells start from the child's fresh settings, and each probe
    runs with the settings its notebook left.  Covered: torch's default dtype, grad and anomaly modes,
    deterministic algorithms and RNG; NumPy's global RNG and floating-point error handling; warning
    filters; the working directory and sys.path.  Not covered: a notebook that rebinds attributes of a
    library module (torch.relu = ...); that changes its own student's other notebooks only.
    """

    __slots__ = ("dtype", "grad", "anomaly", "deterministic", "torch_rng", "np_rng", "np_err", "warnings",
                 "cwd", "path")

    @classmethod
    def capture(cls) -> "NotebookState":
        import torch

        state = cls()
        state.dtype, state.grad = torch.get_default_dtype(), torch.is_grad_enabled()
        state.anomaly, state.deterministic = torch.is_anomaly_enabled(), (
            torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
        state.torch_rng, state.np_rng = torch.random.get_rng_state(), np.random.get_state()
        state.np_err, state.warnings = np.geterr(), list(warnings.filters)
        state.cwd, state.path = os.getcwd(), list(sys.path)
        return state

    def restore(self) -> None:
        """Put the settings back; a step that fails (the notebook broke the library function it uses) is skipped."""
        import torch

        steps = (
            lambda: torch.set_default_dtype(self.dtype),
            lambda: torch.set_grad_enabled(self.grad),
            lambda: torch.set_anomaly_enabled(self.anomaly),
            lambda: torch.use_deterministic_algorithms(self.deterministic[0], warn_only=self.deterministic[1]),
            lambda: torch.random.set_rng_state(self.torch_rng),
            lambda: np.random.set_state(self.np_rng),
            lambda: np.seterr(**self.np_err),
            lambda: warnings.filters.__setitem__(slice(None), self.warnings),
            lambda: getattr(warnings, "_filters_mutated", lambda: None)(),  # drop the "already warned" caches
            lambda: sys.path.__setitem__(slice(None), self.path),
            lambda: os.chdir(self.cwd),
        )
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001, S112
                continue


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
