"""Run-time exercise policies catch forbidden calls however they are reached."""
import importlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from coursekit.isolation import policy


@pytest.fixture(autouse=True)
def installed():
    policy.install()


def _x():
    return torch.randn(1, 1, 5, 5), torch.randn(1, 1, 3, 3)


@pytest.mark.parametrize("call", [
    lambda: F.conv2d(*_x()),
    lambda: torch.nn.Conv2d(1, 1, 3)(_x()[0]),
    lambda: getattr(importlib.import_module("torch.nn.functional"), "conv2d")(*_x()),
    lambda: torch._C._VariableFunctions.conv2d(*_x()),
    lambda: torch.convolution(*_x(), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
    lambda: F.conv_transpose2d(*_x()),
    lambda: torch.fft.fft2(torch.randn(4, 4)),
    lambda: np.convolve([1, 2, 3], [1, 1]),
    lambda: importlib.import_module("scipy.signal").correlate2d(np.ones((3, 3)), np.ones((2, 2))),
], ids=["F.conv2d", "nn.Conv2d", "importlib+getattr", "torch._C", "torch.convolution", "conv_transpose",
        "torch.fft", "np.convolve", "scipy.signal"])
def test_library_convolution_is_refused_while_armed(call):
    with policy.no_library_conv(), pytest.raises(policy.PolicyViolation):
        call()


def test_unfold_and_plain_tensor_ops_are_allowed_while_conv_is_forbidden():
    x, w = _x()
    with policy.no_library_conv():
        cols = F.unfold(x, 3)
        out = (w.reshape(1, -1) @ cols).reshape(1, 1, 3, 3)
    torch.testing.assert_close(out, F.conv2d(x, w))


def test_name_bound_before_arming_is_still_guarded():
    from scipy.signal import correlate2d  # bound after install(), as a student cell would

    with policy.no_library_conv(), pytest.raises(policy.PolicyViolation):
        correlate2d(np.ones((3, 3)), np.ones((2, 2)))


@pytest.mark.parametrize("call", [
    lambda x: (x * 2).sum().backward(),
    lambda x: torch.autograd.grad((x * 2).sum(), x),
    lambda x: torch.autograd.backward((x ** 2).sum()),
])
def test_autograd_is_refused_while_armed(call):
    x = torch.randn(3, requires_grad=True)
    with policy.no_autograd(), pytest.raises(policy.PolicyViolation):
        call(x)


def test_policies_are_disarmed_afterwards():
    x = torch.randn(3, requires_grad=True)
    with policy.no_autograd():
        pass
    (x * 2).sum().backward()
    assert x.grad is not None
    assert F.conv2d(*_x()).shape == (1, 1, 3, 3)


def test_the_trusted_process_is_not_a_sandboxed_worker_so_confinement_stays_off():
    assert not policy._in_sandboxed_worker()
    assert policy.confine_workers() is False and not policy._confined()
    with pytest.raises(RuntimeError, match="outside a confined sandboxed worker"):
        policy._others_alive()  # kill(-1, ...) is never reached from here


def test_arming_in_the_trusted_process_leaves_other_threads_and_processes_alone():
    """The reference and bank entries run policies here: no refusal for a live thread, no signal to any process."""
    import os
    import resource
    import threading

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        os.read(read_end, 1)  # lives until the test closes its end
        os._exit(0)
    os.close(read_end)
    limit = resource.getrlimit(resource.RLIMIT_NPROC)
    try:
        with policy.no_library_conv():
            inside = resource.getrlimit(resource.RLIMIT_NPROC)
            torch.zeros(2) + 1
        with policy.no_autograd():
            torch.zeros(2) * 2
        assert inside == limit
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the forked process is still alive"
        assert helper.is_alive()
    finally:
        os.close(write_end)
        os.waitpid(pid, 0)
        stop.set()
