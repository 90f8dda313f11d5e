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
"""
from __future__ import annotations

import contextlib
import functools
import importlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class PolicyViolation(RuntimeError):
    """Student code used something the exercise forbids."""


_ARMED: set[str] = set()
_INSTALLED = False

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
    _ARMED.update(kinds)
    try:
        with _AtenGuard(frozenset(kinds)):
            yield
    finally:
        _ARMED.clear()
        _ARMED.update(before)


def no_autograd():
    """Context manager: any autograd backward pass inside raises PolicyViolation."""
    return _armed("autograd")


def no_library_conv():
    """Context manager: any library convolution or FFT inside raises PolicyViolation."""
    return _armed("library_conv")
