"""Hidden tests of Tutorial 1's network exercises: DeepNetReLU.forward and train (full-batch SGD).

Each exercise is graded on its own: DeepNetReLU with parameters loaded from a
reference state, train with a network built inside the probe (a plain
nn.Module, not the student's DeepNetReLU) and compared with the reference
train run from the same initial state and data.
"""
import math

import pytest
import torch
from torch import nn

from coursekit.grading.hidden import run_once as _run

# ---------------------------------------------------------------- trusted helpers


def _state(n_in, n_hidden, n_out=1, seed=0, dtype=torch.float32):
    """A DeepNetReLU-shaped state dict of plain tensors."""
    g = torch.Generator().manual_seed(seed)
    state = {
        "in_layer.weight": torch.randn(n_hidden, n_in, generator=g, dtype=torch.float64) / math.sqrt(n_in),
        "in_layer.bias": 0.1 * torch.randn(n_hidden, generator=g, dtype=torch.float64),
        "out_layer.weight": torch.randn(n_out, n_hidden, generator=g, dtype=torch.float64) / math.sqrt(n_hidden),
        "out_layer.bias": 0.1 * torch.randn(n_out, generator=g, dtype=torch.float64),
    }
    return {k: v.to(dtype) for k, v in state.items()}


def _data(n, n_in, n_out=1, seed=1, dtype=torch.float32):
    """Inputs (n, n_in) with both signs, and targets (n, n_out)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    y = x[:, :n_out] * 2.0 - x[:, n_out:2 * n_out].abs() + 0.5  # a nonlinear target, needs n_in >= 2 n_out
    return x.to(dtype), y.to(dtype)


def _forward(state, x):
    h = torch.relu(x @ state["in_layer.weight"].T + state["in_layer.bias"])
    return h @ state["out_layer.weight"].T + state["out_layer.bias"]


def _tol(dtype):
    return (1e-4, 1e-5) if dtype == torch.float32 else (1e-9, 1e-11)


def _close(a, b, dtype, scale=1.0):
    """Elementwise closeness (same shape), tolerances by dtype; no values end up in messages."""
    a, b = (torch.as_tensor(v, dtype=torch.float64).detach() for v in (a, b))
    if a.shape != b.shape or not torch.isfinite(a).all():
        return False
    rtol, atol = _tol(dtype)
    return bool(torch.allclose(a, b, rtol=rtol, atol=atol * max(scale, 1.0)))


DTYPES = {"float32": torch.float32, "float64": torch.float64}

# ---------------------------------------------------------------- probes (run in the sandbox)


def probe_deepnet_parameters(ns, n_in, n_hidden):
    net = ns["DeepNetReLU"](n_in, n_hidden)
    return {"is_module": isinstance(net, nn.Module),
            "params": [(name, list(p.shape)) for name, p in net.named_parameters()]}


def probe_deepnet_forward(ns, state, x):
    net = ns["DeepNetReLU"](x.shape[1], state["in_layer.weight"].shape[0]).to(x.dtype)
    if sorted(net.state_dict()) != sorted(state):
        return {"loaded": False}
    net.load_state_dict(state)
    with torch.no_grad():
        out = net(x)
    return {"loaded": True, "out": torch.as_tensor(out).detach()}


def probe_deepnet_grad(ns, state, x):
    net = ns["DeepNetReLU"](x.shape[1], state["in_layer.weight"].shape[0]).to(x.dtype)
    if sorted(net.state_dict()) != sorted(state):
        return {"loaded": False}
    net.load_state_dict(state)
    out = net(x)
    if not (isinstance(out, torch.Tensor) and out.requires_grad):
        return {"loaded": True, "differentiable": False}
    out.sum().backward()
    return {"loaded": True, "differentiable": True,
            "grads": {name: (p.grad.detach().clone() if p.grad is not None else None)
                      for name, p in net.named_parameters()}}


def probe_train(ns, state, x, y, kwargs):
    class RefNet(nn.Module):  # the grader's own network, so that train is graded on its own
        def __init__(self):
            super().__init__()
            w1, w2 = state["in_layer.weight"], state["out_layer.weight"]
            self.in_layer = nn.Linear(w1.shape[1], w1.shape[0])
            self.out_layer = nn.Linear(w2.shape[1], w2.shape[0])

        def forward(self, r):
            return self.out_layer(torch.relu(self.in_layer(r)))

    net = RefNet().to(x.dtype)
    net.load_state_dict(state)
    losses = ns["train"](net, nn.MSELoss(), x, y, **kwargs)
    result = {"type": type(losses).__name__, "values": None, "floats": False,
              "final": {k: v.detach().clone() for k, v in net.state_dict().items()}}
    try:
        items = list(losses)
        result["floats"] = all(type(v) is float for v in items)
        result["values"] = [float(v) for v in items]
    except (TypeError, ValueError, RuntimeError):
        pass
    return result


# ---------------------------------------------------------------- DeepNetReLU

PARAM_CASES = [(3, 2), (23, 10), (7, 1)]


@pytest.mark.exercise("deepnet_relu")
@pytest.mark.public
@pytest.mark.parametrize("n_in,n_hidden", PARAM_CASES)
def test_deepnet_parameters(student, n_in, n_hidden):
    """DeepNetReLU has exactly the layers in_layer and out_layer with nn.Linear's shapes."""
    got = _run(student, probe_deepnet_parameters, n_in, n_hidden)
    assert got["is_module"], "DeepNetReLU must be a subclass of nn.Module"
    want = [("in_layer.weight", [n_hidden, n_in]), ("in_layer.bias", [n_hidden]),
            ("out_layer.weight", [1, n_hidden]), ("out_layer.bias", [1])]
    assert [tuple(p) for p in got["params"]] == [tuple(p) for p in want], (
        f"DeepNetReLU({n_in}, {n_hidden}) must have exactly the parameters in_layer (nn.Linear({n_in}, "
        f"{n_hidden})) and out_layer (nn.Linear({n_hidden}, 1)); keep __init__ as given")


FORWARD_CASES = [(3, 2, 4), (12, 5, 30), (20, 10, 1)]


@pytest.mark.exercise("deepnet_relu")
@pytest.mark.public
@pytest.mark.parametrize("n", [1, 5])
def test_deepnet_output_shape(student, n):
    """forward returns shape (n_stimuli, 1)."""
    state = _state(6, 4, seed=3)
    x, _ = _data(n, 6, seed=4)
    got = _run(student, probe_deepnet_forward, state, x)
    assert got["loaded"], "DeepNetReLU's parameters must be named in_layer.* and out_layer.*; keep __init__ as given"
    assert tuple(got["out"].shape) == (n, 1), \
        f"forward on {n} stimuli must return shape ({n}, 1), got {tuple(got['out'].shape)}"


@pytest.mark.exercise("deepnet_relu")
@pytest.mark.weight(2)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_in,n_hidden,n", FORWARD_CASES)
def test_deepnet_forward_values(student, reference, n_in, n_hidden, n, dtype):
    """forward computes out_layer(relu(in_layer(r)))."""
    dt = DTYPES[dtype]
    state = _state(n_in, n_hidden, seed=n_in, dtype=dt)
    x, _ = _data(n, n_in, seed=n, dtype=dt)
    got = _run(student, probe_deepnet_forward, state, x)
    want = _run(reference, probe_deepnet_forward, state, x)
    assert got["loaded"], "DeepNetReLU's parameters must be named in_layer.* and out_layer.*; keep __init__ as given"
    assert tuple(got["out"].shape) == (n, 1), f"forward must return shape ({n}, 1), got {tuple(got['out'].shape)}"
    assert _close(got["out"], want["out"], dt), (
        f"forward gives wrong values ({dtype}, {n} stimuli, {n_in} inputs, {n_hidden} hidden units): "
        "apply in_layer, then ReLU, then out_layer, with no nonlinearity on the output")


@pytest.mark.exercise("deepnet_relu")
@pytest.mark.parametrize("n_in,n_hidden,n", FORWARD_CASES[:2])
def test_deepnet_forward_is_differentiable(student, reference, n_in, n_hidden, n):
    """forward uses torch operations, so autograd reaches both layers."""
    state = _state(n_in, n_hidden, seed=n_in + 1)
    x, _ = _data(n, n_in, seed=n + 1)
    got = _run(student, probe_deepnet_grad, state, x)
    want = _run(reference, probe_deepnet_grad, state, x)
    assert got["loaded"], "DeepNetReLU's parameters must be named in_layer.* and out_layer.*; keep __init__ as given"
    assert got["differentiable"], ("forward's output does not depend on the parameters through autograd: use "
                                   "torch operations only (no numpy, no .detach(), no torch.no_grad())")
    for name, g in want["grads"].items():
        assert got["grads"][name] is not None and _close(got["grads"][name], g, torch.float32), (
            f"gradients through forward are wrong for {name}: forward must be out_layer(relu(in_layer(r)))")


# ---------------------------------------------------------------- train

# (n_stimuli, n_in, n_hidden, n_out, n_epochs, learning_rate, dtype)
TRAIN_CASES = {
    "30x12-lr0.05": (30, 12, 6, 1, 6, 0.05, "float32"),
    "30x12-float64": (30, 12, 5, 1, 5, 0.1, "float64"),
    "batch-of-1": (1, 12, 4, 1, 4, 0.2, "float32"),
    "two-outputs": (20, 8, 6, 2, 7, 0.1, "float32"),
}


def _train_case(name):
    n, n_in, n_hidden, n_out, n_epochs, lr, dtype = TRAIN_CASES[name]
    dt = DTYPES[dtype]
    state = _state(n_in, n_hidden, n_out, seed=n + n_in, dtype=dt)
    x, y = _data(n, n_in, n_out, seed=n_hidden, dtype=dt)
    return state, x, y, {"n_epochs": n_epochs, "learning_rate": lr}, dt


@pytest.mark.exercise("train")
@pytest.mark.public
def test_train_returns_list_of_floats(student):
    """train returns a list of n_epochs Python floats."""
    state, x, y, kwargs, _ = _train_case("30x12-lr0.05")
    got = _run(student, probe_train, state, x, y, kwargs)
    assert got["values"] is not None and got["type"] == "list", \
        f"train must return a list of losses, got a {got['type']}"
    assert len(got["values"]) == kwargs["n_epochs"], \
        f"train(..., n_epochs={kwargs['n_epochs']}) must return {kwargs['n_epochs']} losses, got {len(got['values'])}"
    assert got["floats"], "append loss.item() (a Python float) to the list, not the loss tensor"


@pytest.mark.exercise("train")
@pytest.mark.weight(0.5)
def test_train_losses_are_floats(student):
    """Each recorded loss is a Python float (loss.item()), not a tensor that keeps the graph alive."""
    state, x, y, kwargs, _ = _train_case("30x12-lr0.05")
    got = _run(student, probe_train, state, x, y, kwargs)
    assert got["values"] is not None and got["floats"], \
        "append loss.item() (a Python float) to the list, not the loss tensor"


@pytest.mark.exercise("train")
@pytest.mark.parametrize("case", TRAIN_CASES)
def test_train_first_loss_is_initial_loss(student, case):
    """The first loss is the loss of the network as given, before any update."""
    state, x, y, kwargs, dt = _train_case(case)
    got = _run(student, probe_train, state, x, y, kwargs)
    initial = nn.MSELoss()(_forward(state, x), y).item()
    assert got["values"], "train must return a non-empty list of losses"
    assert _close(got["values"][0], initial, dt, scale=abs(initial)), (
        "the first loss must be the loss of the network before training: compute the loss on all of "
        "train_data with loss_fn, record it, then update")


@pytest.mark.exercise("train")
@pytest.mark.parametrize("case", TRAIN_CASES)
def test_train_updates_parameters(student, case):
    """train changes the network it is given."""
    state, x, y, kwargs, dt = _train_case(case)
    got = _run(student, probe_train, state, x, y, kwargs)
    changed = any(not torch.equal(got["final"][k], v) for k, v in state.items())
    assert changed, ("train did not change the network's parameters: call optimizer.zero_grad() before "
                     "loss.backward() (not after), then optimizer.step()")


@pytest.mark.exercise("train")
@pytest.mark.weight(2)
@pytest.mark.parametrize("case", TRAIN_CASES)
def test_train_losses_match_sgd(student, reference, case):
    """The loss curve is that of full-batch SGD with the given learning rate and number of epochs."""
    state, x, y, kwargs, dt = _train_case(case)
    got = _run(student, probe_train, state, x, y, kwargs)
    want = _run(reference, probe_train, state, x, y, kwargs)
    assert got["values"] is not None and len(got["values"]) == len(want["values"]), \
        f"train must return one loss per epoch (n_epochs={kwargs['n_epochs']})"
    for epoch, (a, b) in enumerate(zip(got["values"], want["values"])):
        assert _close(a, b, dt, scale=abs(b)), (
            f"the loss at epoch {epoch} differs from full-batch gradient descent (n_epochs="
            f"{kwargs['n_epochs']}, learning_rate={kwargs['learning_rate']}): use the whole training set each "
            "epoch, zero the gradients before every backward() (they accumulate otherwise), step with "
            "learning_rate, and record each loss before its update")


@pytest.mark.exercise("train")
@pytest.mark.weight(2)
@pytest.mark.parametrize("case", TRAIN_CASES)
def test_train_final_parameters_match_sgd(student, reference, case):
    """After training, the parameters are those of full-batch SGD."""
    state, x, y, kwargs, dt = _train_case(case)
    got = _run(student, probe_train, state, x, y, kwargs)
    want = _run(reference, probe_train, state, x, y, kwargs)
    for name, w in want["final"].items():
        assert _close(got["final"][name], w, dt), (
            f"after train, {name} is not what {kwargs['n_epochs']} steps of SGD with learning_rate="
            f"{kwargs['learning_rate']} give: one optimizer.step() per epoch on freshly zeroed gradients")
