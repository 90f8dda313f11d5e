"""Run-time exercise policies (no autograd, no library convolution), enforced where student code runs.

`install()` runs in the sandboxed child before any student cell, so names a
student binds later (`from scipy.signal import correlate2d`) are already the
guarded versions.  A probe arms a policy around the call it grades:

    with policy.no_autograd():
        grads = ns["deepnet_gradients"](net, x, y)

The guards work at two levels: Python entry points (torch.autograd.grad,
Tensor.backward, numpy/scipy convolution and FFT routines) are wrapped, and a
TorchDispatchMode inspects every ATen op, so a convolution or a backward pass
reached through importlib, getattr or torch._C is caught as well.

Every thread and process (issue 16).  The dispatch mode and the autograd
engine's "current graph task" are per thread (measured on torch 2.13: an op
or a backward pass run by another thread is not seen), and a process the
student forked earlier is outside the policy altogether.  Rather than chase
each route, the sandboxed worker makes sure the armed call runs alone:
`confine_workers()`, called by child.main before any student cell, turns
this on in that process only; elsewhere (the trusted process, the
fork-server, pytest) arming works as before and touches no other process.
While a policy is armed there:
- other processes: a process the student forked earlier (os.fork,
  multiprocessing) and still alive when the call starts refuses the call.
  kill(-1, 0) finds it: it sends nothing, and in the worker's own PID
  namespace it sees only the sandbox's processes other than PID 1.  The
  helper is refused, not killed: killing it would leave the student's code
  waiting on a pipe until the probe's time limit, test after test, and a
  refusal reaches the feedback at once (no kill(-1, SIGKILL) anywhere);
- threads: another thread that runs or waits in Python code when the call
  starts (one an earlier cell left running, seen in sys._current_frames()
  or threading.enumerate()) refuses the call; a thread cannot be stopped
  from outside, except tqdm's progress-bar monitor, which is stopped first.
  Threads without Python state are allowed (torch's OpenMP pool after
  set_num_threads(n > 1): measured, one more task): they run only parts of
  ops the armed thread started, after its guard saw them.  torch runs with
  one thread inside the window: a pool that tried to grow there would
  abort the process (measured: libgomp dies when thread creation fails);
- new threads and processes: the soft RLIMIT_NPROC is 0 for the armed window
  (threads count, the worker's uid is not root and holds no CAP_SYS_RESOURCE),
  so clone() fails whatever the route (threading, _thread, os.fork, ctypes);
  threading and _thread raise the policy message instead, and an audit hook
  (process-wide, permanent) refuses os.fork, resource.setrlimit and prlimit
  however the student reaches them.  When the call ends, a limit
  the student raised, a Python thread, more tasks than at the start or a new
  process refuses it too.
So the per-thread guards hold: the call's own thread is the only one that runs
Python code or starts an ATen op.
Measured: after all three reference notebooks' cells the worker has one task
(torch with set_num_threads(1) and OpenBLAS with OMP_NUM_THREADS=1 start
none); the checks add 0.1-0.15 ms per armed call (2 cores, load average 14).
Left open (an in-process check cannot stop them; a reader of the source sees
them): code that tampers with this module's state or the dispatch mode stack
in memory; raising the rlimit through ctypes or cffi (no audit event) and
lowering it again before the call returns; a native thread made through ctypes that calls
back into Python only between the checks.
"""
from __future__ import annotations

import _thread
import contextlib
import functools
import importlib
import os
import resource
import sys
import threading
import time

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class PolicyViolation(RuntimeError):
    """Student code used something the exercise forbids."""


_ARMED: set[str] = set()
_INSTALLED = False
_CONFINED_PID: int | None = None  # set by confine_workers(), in the sandboxed worker only
_SETRLIMIT, _GETRLIMIT = resource.setrlimit, resource.getrlimit  # before confine_workers() wraps the former

_CONV_OP_WORDS = ("convolution", "conv1d", "conv2d", "conv3d", "conv_transpose", "conv_tbc", "fft_", "_fft")
_PY_GUARDS = {
    "autograd": [
        ("torch.autograd", "grad"), ("torch.autograd", "backward"), ("torch.Tensor", "backward"),
        ("torch.autograd.functional", "jacobian"), ("torch.autograd.functional", "vjp"),
        ("torch.autograd.functional", "jvp"), ("torch.autograd.functional", "hessian"),
        ("torch.func", "grad"), ("torch.func", "vjp"), ("torch.func", "jacrev"), ("torch.func", "jacfwd"),
    ],
    "library_conv": [
        ("numpy", "convolve"), ("numpy", "correlate"), ("numpy.fft", "fft"), ("numpy.fft", "fft2"),
        ("numpy.fft", "fftn"), ("numpy.fft", "rfft"), ("numpy.fft", "rfft2"), ("numpy.fft", "rfftn"),
        ("numpy.lib.stride_tricks", "sliding_window_view"),
        ("scipy.signal", "convolve"), ("scipy.signal", "correlate"), ("scipy.signal", "convolve2d"),
        ("scipy.signal", "correlate2d"), ("scipy.signal", "fftconvolve"), ("scipy.signal", "oaconvolve"),
        ("scipy.ndimage", "convolve"), ("scipy.ndimage", "correlate"), ("scipy.fft", "fft2"),
        ("scipy.fft", "fftn"), ("scipy.fft", "rfft2"), ("scipy.fft", "rfftn"),
        ("torch.nn.functional", "conv2d"), ("torch.nn.functional", "conv1d"), ("torch.nn.functional", "conv3d"),
        ("torch.nn.functional", "conv_transpose2d"), ("torch", "conv2d"), ("torch", "convolution"),
    ],
}
_MESSAGES = {
    "autograd": "this exercise computes gradients by hand: autograd (backward(), torch.autograd.grad, "
                "torch.func) may not be used",
    "library_conv": "this exercise implements the convolution itself: library convolutions "
                    "(F.conv2d, nn.Conv2d, conv_transpose, numpy/scipy convolve or correlate, FFTs) may not be used",
}


def _guard(kind: str, fn):
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        if kind in _ARMED:
            raise PolicyViolation(_MESSAGES[kind])
        return fn(*args, **kwargs)

    guarded.__coursekit_guard__ = True
    return guarded


def _resolve(module: str):
    if module == "torch.Tensor":
        return torch.Tensor
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def install() -> None:
    """Wrap the forbidden Python entry points once per process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    for kind, targets in _PY_GUARDS.items():
        for module, name in targets:
            owner = _resolve(module)
            fn = getattr(owner, name, None) if owner is not None else None
            if fn is None or getattr(fn, "__coursekit_guard__", False):
                continue
            setattr(owner, name, _guard(kind, fn))
    _INSTALLED = True


class _AtenGuard(TorchDispatchMode):
    """Refuses ATen ops that belong to a forbidden kind while its policy is armed."""

    def __init__(self, kinds: frozenset[str]):
        super().__init__()
        self.kinds = kinds

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.name()
        if "library_conv" in self.kinds and any(w in name for w in _CONV_OP_WORDS):
            raise PolicyViolation(_MESSAGES["library_conv"] + f" (called {name})")
        if "autograd" in self.kinds and torch._C._current_graph_task_id() != -1:
            raise PolicyViolation(_MESSAGES["autograd"])
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def _armed(*kinds: str):
    install()
    before = set(_ARMED)
    alone = _confined() and not before  # the outermost armed call in the sandboxed worker
    started = _start_alone(kinds) if alone else None
    _ARMED.update(kinds)
    try:
        with _AtenGuard(frozenset(kinds)):
            yield
    finally:
        _ARMED.clear()
        _ARMED.update(before)
        if started is not None:
            _end_alone(kinds, started)


# ------------------------------------------------- the armed call runs alone (sandboxed worker only)

# How a refusal for a thread or process left running by earlier cells begins: the grader's side
# (coursekit.isolation.handle) then re-runs the notebook in a child of its own, since one child runs all of
# a student's notebooks and another notebook's cells may have left it.
LEFT_RUNNING = "your notebook left "
_ALONE = "the grader checks that rule only while your code runs alone in its process, and "
_WHY = {
    "process": LEFT_RUNNING + "another process running (os.fork, multiprocessing): end your worker "
               "processes before the exercise's function is called",
    "thread": LEFT_RUNNING + "a thread running ({names}): stop and join your threads before the exercise's "
              "function is called",
    "start": "your code may not start threads or processes (threading, multiprocessing, os.fork) while it is "
             "checked",
    "limit": "your code tried to change the limit on threads and processes (RLIMIT_NPROC) while it was checked",
}


def _refusal(kinds, why: str, **fields) -> PolicyViolation:
    rule = "; ".join(_MESSAGES[k] for k in sorted(kinds))
    return PolicyViolation(f"{rule}; {_ALONE}{_WHY[why].format(**fields)}")


def confine_workers() -> bool:
    """Make armed policies hold in every thread and process of this sandboxed worker; False (and nothing
    changed) anywhere else.  Called by coursekit.isolation.child.main before any student cell runs."""
    global _CONFINED_PID
    if not _in_sandboxed_worker():
        return False
    _CONFINED_PID = os.getpid()
    install()
    for owner, name in ((_thread, "start_new_thread"), (threading, "_start_new_thread")):  # no audit event
        fn = getattr(owner, name, None)
        if fn is not None and not getattr(fn, "__coursekit_guard__", False):
            setattr(owner, name, _refuse_starts(fn))
    sys.addaudithook(_refuse_while_armed)  # cannot be removed; raised inside the C functions themselves
    return True


_AUDITED = {"resource.setrlimit": "limit", "resource.prlimit": "limit", "os.fork": "start", "os.forkpty": "start"}


def _refuse_while_armed(event: str, args) -> None:
    """Audit hook: setrlimit, prlimit and fork are refused while armed, however the student reaches them."""
    if event in _AUDITED and _ARMED and _confined():
        raise _refusal(_ARMED, _AUDITED[event])


def _refuse_starts(fn):
    """fn (a way to start a thread or process), refused with the policy's message while a policy is armed in
    the confined worker; the RLIMIT_NPROC of the armed window stops the ways around it."""
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        if _ARMED and _confined():
            raise _refusal(_ARMED, "start")
        return fn(*args, **kwargs)

    guarded.__coursekit_guard__ = True
    return guarded


def _in_sandboxed_worker() -> bool:
    """A worker of coursekit.isolation.sandbox in a PID namespace of its own, under a uid that is not root."""
    from coursekit.isolation import sandbox

    held = sandbox.held()
    return bool(held and held.get("pidns")) and os.getuid() != 0 and os.geteuid() != 0 and _nested_pid_namespace()


def _nested_pid_namespace() -> bool:
    """Whether this process lives in a PID namespace below the initial one (NSpid lists more than one pid)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            nspid = next((line.split()[1:] for line in status if line.startswith("NSpid:")), [])
    except OSError:
        return False
    return len(nspid) > 1


def _confined() -> bool:
    return _CONFINED_PID is not None and os.getpid() == _CONFINED_PID


def _start_alone(kinds) -> tuple[tuple[int, int], int, int]:
    """Refuse unless no other Python thread and no other process lives; then forbid new tasks.
    Returns what _end_alone needs: the RLIMIT_NPROC and torch's thread count to restore, and the number of
    tasks (threads) this process may keep."""
    if _others_alive():
        raise _refusal(kinds, "process")
    _stop_progress_monitors()
    if others := _python_threads():
        names = ", ".join(sorted({t.name for t in threading.enumerate() if t.ident in others}))
        raise _refusal(kinds, "thread", names=names or "started with _thread")
    threads = torch.get_num_threads()
    if threads != 1:  # an OpenMP pool that grows inside the window would abort the process (measured)
        torch.set_num_threads(1)
    limit = _GETRLIMIT(resource.RLIMIT_NPROC)
    _SETRLIMIT(resource.RLIMIT_NPROC, (0, limit[1]))  # clone() now fails: count > 0 for this non-root uid
    return limit, threads, _task_count()


def _end_alone(kinds, started: tuple[tuple[int, int], int, int]) -> None:
    """Restore the limits; refuse the call if the student raised the task limit, or if a thread or process it
    made lives."""
    limit, threads, tasks = started
    soft = _GETRLIMIT(resource.RLIMIT_NPROC)[0]
    _SETRLIMIT(resource.RLIMIT_NPROC, limit)
    try:
        if soft != 0:
            raise _refusal(kinds, "limit")
        if _python_threads() or _task_count() > tasks or _others_alive():
            raise _refusal(kinds, "start")
    finally:
        if threads != 1:  # after the count: setting it may start pool threads
            torch.set_num_threads(threads)


def _python_threads(settle: float = 0.05) -> set[int]:
    """Idents of the threads besides this one that run (or wait in) Python code.  Threads without Python
    state (torch's OpenMP pool after set_num_threads(n > 1), BLAS pools) are allowed: they only run parts of
    ops the armed thread started, after its guard saw them.  A thread just joined gets `settle` s to go."""
    deadline = time.monotonic() + settle
    while True:
        me = threading.get_ident()
        others = {i for i in sys._current_frames() if i != me}
        others |= {t.ident for t in threading.enumerate() if t.ident != me and t.is_alive()}
        if not others or time.monotonic() >= deadline:
            return others
        time.sleep(0.002)


def _stop_progress_monitors() -> None:
    """tqdm's monitor thread (started by a progress bar, benign, restarted by the next bar) is stopped, so an
    honest notebook that shows a progress bar is not refused; anything else still counts as a thread."""
    monitor = getattr(sys.modules.get("tqdm._monitor"), "TMonitor", None)
    if not isinstance(monitor, type):
        return
    for thread in threading.enumerate():
        if isinstance(thread, monitor) and thread is not threading.current_thread():
            with contextlib.suppress(Exception):
                thread.was_killed.set()  # what TMonitor.exit() does, with a bounded join
                thread.join(1.0)


def _task_count() -> int:
    return len(os.listdir("/proc/self/task"))


def let_copies_end(seconds: float) -> bool:
    """In the confined worker, wait up to `seconds` for the other processes of its namespace to end; whether
    none is left (True elsewhere, where nothing is checked).  A cell's forked copies of the worker end with the
    cell (coursekit.isolation.child), but a fork bomb's last copies may still be finishing theirs; a process
    that never ends its cell (a worker serving a pipe) is still there and refuses armed calls."""
    return not _confined() or not _others_alive(settle=seconds)


def _others_alive(settle: float = 0.05) -> bool:
    """Whether a process other than PID 1 and this one lives in the sandbox's PID namespace.

    kill(-1, 0) sends nothing and fails with ESRCH only when it finds no such process (one it may not signal
    counts too); in the worker's own namespace it sees nothing outside.  Zombies count until reaped: this
    process reaps its own, PID 1 reaps orphans, so a process that just ended gets `settle` seconds to go.
    """
    if not _confined():  # elsewhere kill(-1, ...) would look at (or reach) the whole machine
        raise RuntimeError("coursekit.isolation.policy: kill(-1, 0) outside a confined sandboxed worker")
    deadline = time.monotonic() + settle
    while True:
        _reap_children()
        try:
            os.kill(-1, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.002)


def _reap_children() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def no_autograd():
    """Context manager: any autograd backward pass inside raises PolicyViolation."""
    return _armed("autograd")


def no_library_conv():
    """Context manager: any library convolution or FFT inside raises PolicyViolation."""
    return _armed("library_conv")
