"""Diagnosis: name the known mistake a wrong answer makes, by asking the bank's wrong entries the same questions.

Decisions:
- Misconceptions live in the bank: the second line of tests/banks/<grade_id>/wrong_<name>.py is
  `# misconception <slug>: <one sentence a student understands>`; entries that are the same mistake share
  the slug and the sentence.  They are read here, in grading, so the runner needs nothing of authoring.
- The evidence is behaviour only.  While the hidden suites run, every probe call a student's handle answers
  is recorded under the exercise of the running test (Recorder).  For an exercise where a hidden check
  failed, the calls are replayed, in this trusted process, on each wrong entry of that exercise: the
  reference notebook with that one cell replaced (bank code is ours).  Replies are cached per (entry, probe,
  call) for the whole run, so a class pays for each question once, as it does for the reference.
- A mistake is named only when the student's reply matches the entry's on every call the student was asked,
  the entry's replies differ from the reference's on at least one of them, and every matching entry has the
  same slug.  No match, two slugs, or a call that got no reply (timeout, crash): no diagnosis.  No guessing.
- Replies match when they have the same structure and types, tensors and arrays the same shape and dtype and
  close values (NaNs in the same places), numbers close, and errors the same exception type (messages carry
  cells and lines that differ).  Two exceptions: a PolicyViolation is the grader's own refusal, and its message
  says which rule and why (autograd used, or a thread left running), so its message must match too (the
  operator it names aside); and when entries of different slugs match by type, their messages break the tie.
- Randomness: an entry answers with a fixed seed.  When that answer differs from the student's it is asked
  again under another seed, and the parts that change with the seed (a freshly initialised layer's weights)
  are compared by kind, shape and dtype only.
- Process state: an entry runs its cells and every call inside its own NotebookState (default dtype, grad
  mode, RNGs, ...), and the process's own state is put back afterwards, so an entry that sets a default dtype
  or turns gradients off cannot change the reference or the grader.
"""
from __future__ import annotations

import contextlib
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from course_config import COURSE
from coursekit.isolation import wire
from coursekit.isolation.probe import Handle, InProcess, Probe
from coursekit.grading.submission import reference_cells
from coursekit.results import Diagnosis

MISCONCEPTION = re.compile(r"# misconception ([a-z0-9]+(?:-[a-z0-9]+)*): (\S.*)")
GRADER_ERRORS = {"PolicyViolation"}  # raised by the grader's policy: the message is the behaviour
_OPERATOR = re.compile(r" \(called [^)]*\)$")  # the ATen operator a policy names: another route, same rule
SEEDS = (20240, 7)  # the seed every entry answers with, and the one that tells random parts from fixed ones
TOLERANCE = {"float64": (1e-7, 1e-9), "other": (1e-4, 1e-6)}  # (rtol, atol) by precision


def misconception_of(source: str) -> Diagnosis | None:
    """The misconception a bank file states on its second line, or None."""
    lines = source.splitlines()
    match = MISCONCEPTION.fullmatch(lines[1].strip()) if len(lines) > 1 else None
    return Diagnosis(match[1], match[2].strip()) if match else None


@dataclass(frozen=True)
class KnownMistake:
    """A wrong bank entry and the misconception it stands for."""

    grade_id: str
    path: Path
    misconception: Diagnosis

    @property
    def name(self) -> str:
        return f"{self.grade_id}/{self.path.stem}"


def known_mistakes(grade_id: str, banks_dir: Path | None = None) -> list[KnownMistake]:
    """Every wrong entry of the exercise that states its misconception, in file order."""
    folder = Path(banks_dir or COURSE.banks_dir) / grade_id
    out = []
    for path in sorted(folder.glob("wrong_*.py")):
        stated = misconception_of(path.read_text(encoding="utf-8"))
        if stated is not None:
            out.append(KnownMistake(grade_id, path, stated))
    return out


# ---------------------------------------------------------------- comparing replies

def _precision(dtype) -> str:
    return "float64" if str(dtype).replace("torch.", "") in ("float64", "complex128") else "other"


def _array(value):
    """(numpy array, dtype name) of a tensor or array leaf, else None."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy(), f"torch.{str(value.dtype).replace('torch.', '')}"
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value), f"numpy.{value.dtype}"
    return None


def _close_arrays(a: np.ndarray, b: np.ndarray, precision: str) -> bool:
    if a.dtype.kind not in "fc":
        return np.array_equal(a, b)
    rtol, atol = TOLERANCE[precision]
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _kind(value):
    """What a leaf is, without its values: its type, and for arrays the shape and dtype."""
    arr = _array(value)
    return (arr[1], arr[0].shape) if arr is not None else type(value).__name__


def same_leaf(a, b) -> bool:
    arr_a, arr_b = _array(a), _array(b)
    if arr_a is not None or arr_b is not None:
        if arr_a is None or arr_b is None or arr_a[1] != arr_b[1] or arr_a[0].shape != arr_b[0].shape:
            return False
        return _close_arrays(arr_a[0], arr_b[0], _precision(arr_a[1]))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        rtol, atol = TOLERANCE["other"]
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
    return a == b


_UNKNOWN = object()  # a part with no counterpart (not asked, or of another structure)


def _fixed(first, second) -> bool:
    """Whether a leaf answered under two seeds is the same both times (asked once: taken as fixed)."""
    return second is _UNKNOWN or same_leaf(first, second)


def _aligned(value, like, key):
    """value's part at key when value has like's structure, else _UNKNOWN."""
    if isinstance(like, dict) and isinstance(value, dict) and set(value) == set(like):
        return value[key]
    if isinstance(like, (list, tuple)) and isinstance(value, (list, tuple)) and len(value) == len(like):
        return value[key]
    return _UNKNOWN


def agree(student, first, second=_UNKNOWN, ref=(_UNKNOWN, _UNKNOWN)) -> bool:
    """Whether the student's value matches an entry's answer `first`.

    second: the entry's answer under another seed; where it differs from first (a random part, such as a freshly
    initialised layer's weights) the student's part is compared by kind only, and must not equal the reference's
    part when that one is fixed (ref: the reference's answers under the same two seeds).
    """
    if isinstance(first, dict):
        if not isinstance(student, dict) or set(student) != set(first):
            return False
        keys = list(first)
    elif isinstance(first, (list, tuple)):
        if not isinstance(student, (list, tuple)) or len(student) != len(first):
            return False
        keys = range(len(first))
    else:
        keys = None
    if keys is not None:
        return all(agree(student[k], first[k], _aligned(second, first, k),
                         (_aligned(ref[0], first, k), _aligned(ref[1], first, k))) for k in keys)
    if _fixed(first, second):
        return same_leaf(student, first)
    if _kind(student) != _kind(first):
        return False
    return ref[0] is _UNKNOWN or not _fixed(*ref) or not same_leaf(student, ref[0])


def same_reply(student: dict, first: dict, second: dict | None = None, ref: tuple = (None, None),
               strict: bool = False) -> bool:
    """Replies ({"ok": value} or {"error": payload}) that show the same behaviour.

    Errors are the same when their exception types are (strict: and their messages too).
    """
    if ("error" in student) != ("error" in first):
        return False
    if "error" in student:
        s, f = student["error"], first["error"]
        same = s.get("type") == f.get("type") and bool(s.get("missing")) == bool(f.get("missing"))
        if s.get("type") in GRADER_ERRORS and not strict:
            return same and _OPERATOR.sub("", s.get("message", "")) == _OPERATOR.sub("", f.get("message", ""))
        return same and (not strict or s.get("message") == f.get("message"))

    def ok(reply):
        return reply["ok"] if reply is not None and "ok" in reply else _UNKNOWN

    return agree(student["ok"], first["ok"], ok(second), (ok(ref[0]), ok(ref[1])))


# ---------------------------------------------------------------- recording what a student was asked

@dataclass(frozen=True)
class Call:
    """One probe call a student's notebook answered: the reply as wire bytes (None: no reply, a timeout say)."""

    probe: Probe
    call: bytes
    reply: bytes | None

    @property
    def key(self) -> tuple:
        return (self.probe.name, self.probe.source, self.call)


class Recorder(Handle):
    """A student's handle that remembers, per exercise, every call it was asked and the reply."""

    def __init__(self, inner: Handle, exercise: Callable[[], str | None]):
        self.inner, self.exercise = inner, exercise
        self.label = inner.label
        self.answered: dict[tuple, Call] = {}
        self.asked: dict[str, dict[tuple, None]] = defaultdict(dict)  # exercise -> keys, in order

    def _request(self, probe, call):
        key = (probe.name, probe.source, call)
        self.answered[key] = Call(probe, call, None)  # until a reply comes (a timeout or crash gives none)
        self.note(probe, call)
        reply = self.inner._request(probe, call)
        try:
            self.answered[key] = Call(probe, call, wire.dumps(reply))  # a copy: tests may change what they get
        except wire.WireError:
            pass
        return reply

    def note(self, probe, call: bytes) -> None:
        """Count a call for the running test's exercise (also when run_once answers it from its memo)."""
        probe = Probe.of(probe)
        self.asked[self.exercise() or ""][(probe.name, probe.source, call)] = None

    def calls(self, grade_id: str) -> list[Call]:
        return [self.answered[k] for k in self.asked.get(grade_id, {}) if k in self.answered]

    def close(self) -> None:
        self.inner.close()


# ---------------------------------------------------------------- asking the known mistakes

@contextlib.contextmanager
def _process_state_kept():
    """Put back every process-wide setting a notebook can change (NotebookState) and Python's RNG."""
    from coursekit.isolation.child import NotebookState

    saved, py_rng = NotebookState.capture(), random.getstate()
    try:
        yield
    finally:
        saved.restore()
        random.setstate(py_rng)


class _Mistaken:
    """The reference notebook, with one cell replaced by a known mistake, answering probes in this process."""

    def __init__(self, grade_id: str, source: str | None):
        from coursekit.isolation.child import NotebookState

        notebook = COURSE.exercise(grade_id).notebook
        cells = [(label, source if source is not None and label == grade_id else code)
                 for label, code in reference_cells(notebook)]
        with _process_state_kept():
            self.handle = InProcess(cells)
            self.state = NotebookState.capture()

    def answer(self, probe: Probe, call: bytes, seed: int) -> bytes:
        import torch

        with _process_state_kept():
            self.state.restore()
            torch.manual_seed(seed)
            np.random.seed(seed)
            random.seed(seed)
            return wire.dumps(self.handle._request(probe, call))


class Diagnoser:
    """Names the known mistake behind a wrong answer; entries and their answers are cached for the whole run."""

    def __init__(self, banks_dir: Path | None = None):
        self.banks_dir = banks_dir
        self._mistakes: dict[str, list[KnownMistake]] = {}
        self._entries: dict[tuple, _Mistaken | None] = {}
        self._replies: dict[tuple, bytes | None] = {}

    def mistakes(self, grade_id: str) -> list[KnownMistake]:
        if grade_id not in self._mistakes:
            self._mistakes[grade_id] = known_mistakes(grade_id, self.banks_dir)
        return self._mistakes[grade_id]

    def _answer(self, grade_id: str, path: Path | None, c: Call, seed: int) -> dict | None:
        """The answer of the entry at path (None: the reference) to call c under seed, cached."""
        key = (grade_id, path, c.key, seed)
        if key not in self._replies:
            if (grade_id, path) not in self._entries:
                try:
                    source = path.read_text(encoding="utf-8") if path is not None else None
                    self._entries[(grade_id, path)] = _Mistaken(grade_id, source)
                except Exception:  # noqa: BLE001 - an entry whose cells fail to run answers nothing
                    self._entries[(grade_id, path)] = None
            entry = self._entries[(grade_id, path)]
            self._replies[key] = entry.answer(c.probe, c.call, seed) if entry is not None else None
        frame = self._replies[key]
        return None if frame is None else wire.loads(frame)

    def _answers_like(self, m: KnownMistake, c: Call, reply: dict, strict: bool = False) -> bool:
        """Whether the entry answers call c as reply does (its random parts compared by kind)."""
        first = self._answer(m.grade_id, m.path, c, SEEDS[0])
        if first is None:
            return False
        if same_reply(reply, first, strict=strict):
            return True
        second = self._answer(m.grade_id, m.path, c, SEEDS[1])
        if second is None or same_reply(second, first, strict=True):
            return False
        ref = tuple(self._answer(m.grade_id, None, c, seed) for seed in SEEDS)
        return same_reply(reply, first, second, ref, strict=strict)

    def matches(self, m: KnownMistake, calls: list[Call], strict: bool = False) -> bool:
        """Whether the entry answers every call as the student did."""
        return all(self._answers_like(m, c, wire.loads(c.reply), strict) for c in calls)

    def _wrong_somewhere(self, m: KnownMistake, calls: list[Call]) -> bool:
        """Whether the entry's behaviour differs from the reference's on at least one of the calls."""
        return any(not self._answers_like(m, c, reference, strict=True) for c in calls
                   if (reference := self._answer(m.grade_id, None, c, SEEDS[0])) is not None)

    def diagnose(self, grade_id: str, calls: list[Call]) -> Diagnosis | None:
        """The misconception every matching entry shares, or None (no call, an unanswered call, no match,
        or matches with different slugs that the error messages do not tell apart)."""
        if not calls or any(c.reply is None for c in calls):
            return None
        matched = [m for m in self.mistakes(grade_id) if self.matches(m, calls)]
        if len({m.misconception.slug for m in matched}) > 1:  # errors of one type: do their messages tell?
            matched = [m for m in matched if self.matches(m, calls, strict=True)]
        if len({m.misconception.slug for m in matched}) != 1 or not self._wrong_somewhere(matched[0], calls):
            return None
        return matched[0].misconception
