"""Probes: small trusted functions shipped as source that call notebook code and return plain data.

A hidden test never touches a student's objects.  It asks a handle to run a
probe, `handle.run(probe, *args)`, where `probe(ns, *args)` is a module-level
function of the test module that receives the notebook's namespace `ns` and
plain-data arguments and returns plain data (see coursekit.isolation.wire).  The same
probe source runs on the reference (in the trusted process) and on the
submission (in a sandboxed child); the test compares the two results.

Probe rules: self-contained (import what you need inside the body, or use the
pre-imported globals `torch`, `np`, `nn`, `F`, `policy`); no expected values
inside a probe, since its source reaches the child.
"""
from __future__ import annotations

import functools
import inspect
import linecache
import textwrap
import traceback
from collections.abc import MutableMapping
from dataclasses import dataclass

from coursekit.isolation import wire
from coursekit.results import GradingError
from coursekit.notebook import cell_filename, cell_label


class ProbeError(GradingError):
    """Base of what a probe can raise in the trusted process; str() is a message a student can act on."""


class StudentError(ProbeError):
    """The notebook's code raised: its exception type, message and where in which cell."""

    def __init__(self, exc_type: str, message: str, cell: str | None = None, line: int | None = None,
                 text: str | None = None):
        self.exc_type, self.message, self.cell, self.line, self.text = exc_type, message, cell, line, text
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.cell:
            where = f" (in your cell {self.cell!r}, line {self.line}"
            where += f": {self.text.strip()})" if self.text else ")"
        return f"{self.exc_type}: {self.message}{where}"


class ProbeTimeout(ProbeError):
    status = "timeout"


class ChildCrashed(ProbeError):
    status = "crashed"


class MissingName(StudentError):
    """The notebook does not define a name the exercise requires."""

    status = "missing"


@dataclass(frozen=True)
class Probe:
    """A probe as it crosses the boundary: its function name and its source."""

    name: str
    source: str

    @classmethod
    def of(cls, fn) -> "Probe":
        if isinstance(fn, Probe):
            return fn
        if not inspect.isfunction(fn) or fn.__name__ == "<lambda>":
            raise TypeError("a probe must be a module-level def function")
        return _probe_of(fn)


@functools.lru_cache(maxsize=None)
def _probe_of(fn) -> Probe:
    """A function's probe, read once (inspect.getsource re-reads and tokenizes the file on every call)."""
    source = textwrap.dedent(inspect.getsource(fn))
    lines = [ln for ln in source.splitlines() if not ln.startswith("@")]  # drop decorators
    return Probe(fn.__name__, "\n".join(lines) + "\n")


def probe_globals() -> dict:
    """The globals a probe's source is executed in (trusted modules, already imported)."""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    from coursekit.isolation import policy

    return {"__name__": "coursekit_probe", "__builtins__": __builtins__,
            "torch": torch, "np": np, "nn": nn, "F": F, "policy": policy}


class Namespace(MutableMapping):
    """What a probe sees of a notebook's globals: a missing name raises MissingName naming what to define.

    Cells run in the plain dict `globals`, so a typo inside student code is an ordinary NameError.
    """

    def __init__(self, globals_: dict | None = None):
        self.globals = {} if globals_ is None else globals_

    def __getitem__(self, key):
        try:
            return self.globals[key]
        except KeyError:
            raise MissingName("NameError", f"{key!r} is not defined; define it in the exercise's "
                                           "solution cell") from None

    def __contains__(self, key):  # Mapping's default relies on KeyError, which MissingName is not
        return key in self.globals

    def __setitem__(self, key, value):
        self.globals[key] = value

    def __delitem__(self, key):
        del self.globals[key]

    def __iter__(self):
        return iter(self.globals)

    def __len__(self):
        return len(self.globals)


def exec_cell(ns: Namespace, source: str, label: str) -> None:
    """Execute one cell's source in ns, compiled under a file name that tracebacks can map to the cell."""
    filename = cell_filename(label)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    exec(code, ns.globals)  # noqa: S102 - this is the sandboxed child or trusted reference code


@functools.lru_cache(maxsize=256)
def _compiled(name: str, source: str):
    return compile(source, f"<probe {name}>", "exec")


def call_probe(ns: dict, probe: Probe, args: tuple, kwargs: dict):
    """Run probe on ns and return its result; exceptions propagate."""
    scope = probe_globals()
    exec(_compiled(probe.name, probe.source), scope)  # noqa: S102 - trusted probe source
    return scope[probe.name](ns, *args, **kwargs)


def error_payload(exc: BaseException) -> dict:
    """Plain-data description of an exception raised by notebook code, pointing at the innermost cell line."""
    cell = line = text = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        label = cell_label(frame.f_code.co_filename)
        if label is not None:
            cell, line = label, lineno
            text = linecache.getline(frame.f_code.co_filename, lineno)
    message = str(exc) if not isinstance(exc, SystemExit) else f"exit({exc.code!r}) called"
    return {"type": type(exc).__name__, "message": message[:2000], "cell": cell, "line": line,
            "text": (text or "")[:300] or None, "missing": isinstance(exc, MissingName)}


def raise_payload(err: dict):
    cls = MissingName if err.get("missing") else StudentError
    raise cls(err["type"], err["message"], err.get("cell"), err.get("line"), err.get("text"))


def run_in_namespace(ns: dict, probe: Probe, call: bytes, copy: bool = True) -> dict:
    """Run a probe on the arguments encoded in call (a wire frame of [args, kwargs]) and package the
    outcome as a reply: {"ok": value} or {"error": payload}.

    copy: pass the value through the wire format here (in process), so the caller gets plain data; a child
    skips it, since sending the reply encodes it anyway (and refuses anything but plain data).
    """
    try:
        args, kwargs = wire.loads(call)
        value = call_probe(ns, probe, tuple(args), kwargs)
        return {"ok": wire.roundtrip(value) if copy else value}
    except MissingName as exc:
        return {"error": {**error_payload(exc), "type": exc.exc_type, "message": exc.message}}
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything, SystemExit included
        return {"error": error_payload(exc)}


def encode_call(args: tuple, kwargs: dict) -> bytes:
    """A probe call's arguments as one wire frame: checked to be plain data, and the cache key of the call."""
    return wire.dumps([list(args), kwargs])


class Handle:
    """A notebook's code behind a boundary; subclasses decide where it runs."""

    label = "notebook"

    def run(self, probe, *args, **kwargs):
        """Run probe(ns, *args, **kwargs) against this notebook's code and return plain data."""
        return self.run_encoded(probe, encode_call(args, kwargs))

    def run_encoded(self, probe, call: bytes):
        """run(), with the arguments already encoded by encode_call (each call's arguments are encoded once)."""
        reply = self._request(Probe.of(probe), call)
        if "error" in reply:
            raise_payload(reply["error"])
        return reply["ok"]

    def _request(self, probe: Probe, call: bytes) -> dict:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcess(Handle):
    """Notebook code executed in this process: for the trusted reference only, never for submissions."""

    label = "reference"

    def __init__(self, cells: list[tuple[str, str]]):
        self.ns = Namespace()
        for label, source in cells:
            exec_cell(self.ns, source, label)

    def _request(self, probe, call):
        return run_in_namespace(self.ns, probe, call)


class Reference(InProcess):
    """The reference solution in this process, each reply computed once per probe and arguments.

    Every student's tests ask the reference the same questions; the encoded
    reply is kept and decoded afresh for each caller, so no caller can change
    another's copy.  Probes must therefore be deterministic (seed inside).
    """

    def __init__(self, cells: list[tuple[str, str]]):
        super().__init__(cells)
        self._replies: dict[tuple, bytes] = {}

    def _request(self, probe, call):
        key = (probe.name, probe.source, call)
        if key not in self._replies:
            self._replies[key] = wire.dumps(super()._request(probe, call))
        return wire.loads(self._replies[key])
