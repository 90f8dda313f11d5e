"""An armed policy holds in every thread and process of the sandboxed child, not only in the probe's thread.

Each case is a small notebook run in a real sandbox from a real fork-server; the probe arms the policy the way
the hidden suites do and calls the notebook's function.  Work handed to a thread (started inside the call or
by an earlier cell) or to a process forked earlier is refused with the policy's message; honest code is not.
"""
# ruff: noqa: F821 - probes run in the child with torch, F and policy as globals
from __future__ import annotations

import sys
import textwrap
from dataclasses import replace

import pytest

from course_config import COURSE
from coursekit.isolation.handle import StudentSandbox
from coursekit.isolation.probe import StudentError
from tests.builders import PIPE_PROTOCOL, fork_server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux-only")

LIMITS = replace(COURSE.limits, cell_seconds=5.0, probe_seconds=10.0)
SETUP = "import os, pickle, queue, threading\nimport numpy as np\nimport torch\nimport torch.nn.functional as F\n"
CONV_RULE = "this exercise implements the convolution itself"
AUTOGRAD_RULE = "this exercise computes gradients by hand"


@pytest.fixture(scope="module")
def server():
    with fork_server(LIMITS.cell_seconds) as srv:
        yield srv


def run_in_sandbox(server, source: str, probe, *args):
    """Run one notebook made of SETUP and source in a fresh sandbox, then probe(*args) on it."""
    box = StudentSandbox(server, {"nb": [("setup", SETUP), ("cell", textwrap.dedent(source))]}, LIMITS)
    handle = box.handle("nb")
    try:
        return handle.run(probe, *args)
    finally:
        handle.close()


def probe_conv(ns):
    """conv(x, w) under no_library_conv, as the conv2d suite calls it; whether it matched F.conv2d."""
    x, w = torch.randn(1, 2, 6, 6), torch.randn(3, 2, 3, 3)
    with policy.no_library_conv():
        out = ns["conv"](x, w)
    return bool(torch.allclose(out, F.conv2d(x, w), atol=1e-4))


def probe_grads(ns):
    """grad(x) under no_autograd, as the backprop suites call it; whether it is the gradient of sum(x**2)."""
    x = torch.randn(5)
    with policy.no_autograd():
        got = ns["grad"](x)
    return bool(torch.allclose(got, 2 * x))


IN_A_THREAD = """
def in_a_thread(fn, *args):
    out = []
    worker = threading.Thread(target=lambda: out.append(fn(*args)))
    worker.start()
    worker.join()
    return out[0]
"""

LIBRARY_CONV_IN_A_THREAD = {
    "torch.ops.aten": "lambda x, w: torch.ops.aten.convolution(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)",
    "torch._C": "lambda x, w: torch._C._VariableFunctions.conv2d(x, w)",
    "F.conv2d": "lambda x, w: F.conv2d(x, w)",
}


@pytest.mark.parametrize("route", LIBRARY_CONV_IN_A_THREAD)
def test_library_convolution_in_a_thread_started_inside_the_call_is_refused(server, route):
    source = IN_A_THREAD + f"def conv(x, w):\n    return in_a_thread({LIBRARY_CONV_IN_A_THREAD[route]}, x, w)\n"
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*may not start threads"):
        run_in_sandbox(server, source, probe_conv)


def test_library_convolution_in_a_thread_pool_started_inside_the_call_is_refused(server):
    source = """
    from concurrent.futures import ThreadPoolExecutor
    def conv(x, w):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(torch.ops.aten.convolution, x, w, None, [1, 1], [0, 0], [1, 1], False,
                               [0, 0], 1).result()
    """
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*may not start threads"):
        run_in_sandbox(server, source, probe_conv)


def test_library_convolution_in_a_process_forked_inside_the_call_is_refused(server):
    source = """
    import multiprocessing
    def conv(x, w):
        ours, theirs = multiprocessing.get_context("fork").Pipe()
        worker = multiprocessing.get_context("fork").Process(target=lambda: theirs.send(F.conv2d(x, w).numpy()))
        worker.start()
        return torch.from_numpy(ours.recv())
    """
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*may not start threads or processes"):
        run_in_sandbox(server, source, probe_conv)


def test_a_thread_started_past_the_python_guard_cannot_start_at_all(server):
    """The unwrapped _thread entry point meets the kernel's limit on tasks (RLIMIT_NPROC is 0 while armed)."""
    source = """
    def conv(x, w):
        out = []
        start = threading._start_new_thread.__wrapped__
        start(lambda: out.append(F.conv2d(x, w)), ())
        while not out:
            pass
        return out[0]
    """
    with pytest.raises(StudentError, match="RuntimeError: can't start new thread"):
        run_in_sandbox(server, source, probe_conv)


def test_library_convolution_in_a_thread_an_earlier_cell_started_is_refused(server):
    source = """
    jobs, results = queue.Queue(), queue.Queue()
    def serve():
        while True:
            x, w = jobs.get()
            results.put(torch._C._VariableFunctions.conv2d(x, w))
    threading.Thread(target=serve, name="conv-helper", daemon=True).start()
    def conv(x, w):
        jobs.put((x, w))
        return results.get()
    """
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*left a thread running \\(conv-helper\\)"):
        run_in_sandbox(server, source, probe_conv)


FORKED_PIPE_WORKER = PIPE_PROTOCOL + """
if os.fork() == 0:
    while True:
        args = receive(jobs_r)
        send(results_w, WORK(*args))
"""


def test_library_convolution_in_a_process_an_earlier_cell_forked_is_refused(server):
    work = "lambda x, w: F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()"
    source = FORKED_PIPE_WORKER.replace("WORK", f"({work})") + (
        "def conv(x, w):\n    send(jobs_w, (x.numpy(), w.numpy()))\n    return torch.from_numpy(receive(results_r))\n")
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*left another process running"):
        run_in_sandbox(server, source, probe_conv)


def test_library_convolution_in_a_multiprocessing_worker_an_earlier_cell_started_is_refused(server):
    source = """
    import multiprocessing
    def serve(conn):
        while True:
            x, w = conn.recv()
            conn.send(F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy())
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    multiprocessing.get_context("fork").Process(target=serve, args=(theirs,), daemon=True).start()
    def conv(x, w):
        ours.send((x.numpy(), w.numpy()))
        return torch.from_numpy(ours.recv())
    """
    with pytest.raises(StudentError, match=f"PolicyViolation: {CONV_RULE}.*left another process running"):
        run_in_sandbox(server, source, probe_conv)


AUTOGRAD_IN_A_THREAD = {
    "backward()": "def by_autograd(x):\n    x = x.clone().requires_grad_(True)\n    (x ** 2).sum().backward()\n"
                  "    return x.grad\n",
    "torch.autograd.grad": "def by_autograd(x):\n    x = x.clone().requires_grad_(True)\n"
                           "    return torch.autograd.grad((x ** 2).sum(), x)[0]\n",
    "execution engine": "def by_autograd(x):\n    x = x.clone().requires_grad_(True)\n"
                        "    loss = (x ** 2).sum()\n"
                        "    return torch.autograd.Variable._execution_engine.run_backward(\n"
                        "        (loss,), (torch.ones_like(loss),), False, False, (x,), False)[0]\n",
}


@pytest.mark.parametrize("route", AUTOGRAD_IN_A_THREAD)
def test_autograd_backward_in_a_thread_started_inside_the_call_is_refused(server, route):
    source = IN_A_THREAD + AUTOGRAD_IN_A_THREAD[route] + "def grad(x):\n    return in_a_thread(by_autograd, x)\n"
    with pytest.raises(StudentError, match=f"PolicyViolation: {AUTOGRAD_RULE}.*may not start threads"):
        run_in_sandbox(server, source, probe_grads)


def test_autograd_backward_in_a_thread_an_earlier_cell_started_is_refused(server):
    source = AUTOGRAD_IN_A_THREAD["backward()"] + textwrap.dedent("""
    jobs, results = queue.Queue(), queue.Queue()
    threading.Thread(target=lambda: [results.put(by_autograd(jobs.get())) for _ in iter(int, 1)],
                     name="grad-helper", daemon=True).start()
    def grad(x):
        jobs.put(x)
        return results.get()
    """)
    with pytest.raises(StudentError, match=f"PolicyViolation: {AUTOGRAD_RULE}.*left a thread running \\(grad-helper"):
        run_in_sandbox(server, source, probe_grads)


def test_autograd_backward_in_a_process_an_earlier_cell_forked_is_refused(server):
    work = "lambda x: by_autograd(torch.from_numpy(x)).numpy()"
    source = AUTOGRAD_IN_A_THREAD["backward()"] + FORKED_PIPE_WORKER.replace("WORK", f"({work})") + (
        "def grad(x):\n    send(jobs_w, (x.numpy(),))\n    return torch.from_numpy(receive(results_r))\n")
    with pytest.raises(StudentError, match=f"PolicyViolation: {AUTOGRAD_RULE}.*left another process running"):
        run_in_sandbox(server, source, probe_grads)


def test_raising_the_task_limit_inside_the_call_and_lowering_it_again_is_refused(server):
    """The audit hook sees resource.setrlimit however it is reached (here the function object saved earlier)."""
    source = """
    import resource
    saved = resource.setrlimit
    def grad(x):
        _, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        saved(resource.RLIMIT_NPROC, (hard, hard))
        out = []
        worker = threading.Thread(target=lambda: out.append(2 * x))
        worker.start()
        worker.join()
        saved(resource.RLIMIT_NPROC, (0, hard))
        return out[0]
    """
    with pytest.raises(StudentError, match=f"PolicyViolation: {AUTOGRAD_RULE}.*change the limit on threads"):
        run_in_sandbox(server, source, probe_grads)


def probe_honest_twice_then_a_thread(ns):
    """Two armed calls, then an unarmed thread: honest code is unaffected and threads work again afterwards."""
    import threading

    matches = []
    for _ in range(2):
        x, w = torch.randn(1, 2, 6, 6), torch.randn(3, 2, 3, 3)
        with policy.no_library_conv():
            out = ns["conv"](x, w)
        matches.append(bool(torch.allclose(out, F.conv2d(x, w), atol=1e-4)))
    seen = []
    worker = threading.Thread(target=lambda: seen.append(True))
    worker.start()
    worker.join()
    return [*matches, seen == [True]]


def test_honest_code_whose_earlier_threads_have_ended_keeps_working_and_threads_work_after_the_call(server):
    source = """
    done = []
    helper = threading.Thread(target=lambda: done.append(1))
    helper.start()
    helper.join()
    def conv(x, w):
        n, _, h, wd = x.shape
        out = w.reshape(w.shape[0], -1) @ F.unfold(x, w.shape[2:])
        return out.reshape(n, w.shape[0], h - w.shape[2] + 1, wd - w.shape[3] + 1)
    """
    assert run_in_sandbox(server, source, probe_honest_twice_then_a_thread) == [True, True, True]


def test_honest_code_after_a_progress_bar_and_more_torch_threads_keeps_working(server):
    """tqdm's monitor thread is stopped, and torch's own pool (set_num_threads(2)) runs no student code."""
    source = """
    from tqdm import tqdm
    torch.set_num_threads(2)
    total = sum(float((torch.randn(200, 200) @ torch.randn(200, 200)).sum()) for _ in tqdm(range(3)))
    def conv(x, w):
        n, _, h, wd = x.shape
        out = w.reshape(w.shape[0], -1) @ F.unfold(x, w.shape[2:])
        return out.reshape(n, w.shape[0], h - w.shape[2] + 1, wd - w.shape[3] + 1)
    """
    assert run_in_sandbox(server, source, probe_honest_twice_then_a_thread) == [True, True, True]


def probe_big_op_armed(ns):
    """The notebook's function under no_library_conv; its result and torch's thread count afterwards."""
    with policy.no_library_conv():
        value = ns["work"]()
    return [value, torch.get_num_threads()]


def test_honest_code_after_set_num_threads_runs_single_threaded_inside_the_call_and_keeps_its_setting(server):
    """A notebook that asked for two threads but never started torch's pool: the pool must not start inside the
    armed call (where thread creation fails); afterwards the notebook's setting is back."""
    source = """
    torch.set_num_threads(2)
    def work():
        return float((torch.ones(600, 600) @ torch.ones(600, 600)).sum())
    """
    assert run_in_sandbox(server, source, probe_big_op_armed) == [600.0 ** 3, 2]
