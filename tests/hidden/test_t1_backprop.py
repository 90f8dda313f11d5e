"""Hidden tests of Tutorial 1's backprop-by-hand exercises: linear, ReLU and MSE layers, and DeepNetReLU's gradients.

Oracles live in this trusted process: PyTorch autograd, nn.MSELoss, and
central differences in float64 compared with a cs231n-style relative error.
Every student call runs under policy.no_autograd(), so a backward pass made
by autograd is refused at run time in the sandbox, whatever the source says.
"""

import functools

import pytest
import torch
from torch import nn

from coursekit.grading.hidden import run_once as _run

DTYPES = {"float32": torch.float32, "float64": torch.float64}

# ---------------------------------------------------------------- trusted helpers


def _randn(shape, seed, dtype=torch.float64, zeros=0.0, away=0.0):
    """Random values; a fraction `zeros` set exactly to 0, the rest at least `away` from 0."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=torch.float64)
    if away:
        x = x.sign() * (x.abs() + away)
    if zeros:
        x[torch.rand(*shape, generator=g, dtype=torch.float64) < zeros] = 0.0
        x.view(-1)[0] = 0.0  # at least one exact zero
    return x.to(dtype)


def _per_case(fn):
    """Cases and oracle values depend on the case only, not on the student: computed once per case for the
    whole class, and each test gets its own copy."""
    memo = {}

    @functools.wraps(fn)
    def wrapper(*key):
        if key not in memo:
            memo[key] = fn(*key)
        return _copy(memo[key])

    return wrapper


def _copy(value):
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _tol(dtype):
    return (1e-4, 1e-5) if dtype == torch.float32 else (1e-9, 1e-11)


def _as64(a):
    return torch.as_tensor(a, dtype=torch.float64).detach()


def _close(got, want, dtype):
    """Same shape and close elementwise, tolerances by dtype, scaled by the size of `want`."""
    got, want = _as64(got), _as64(want)
    if got.shape != want.shape or not torch.isfinite(got).all():
        return False
    rtol, atol = _tol(dtype)
    scale = max(1.0, want.abs().max().item()) if want.numel() else 1.0
    return bool(torch.allclose(got, want, rtol=rtol, atol=atol * scale))


def _rel_error(a, b):
    """cs231n's relative error: max |a - b| / max(1e-8, |a| + |b|)."""
    a, b = _as64(a), _as64(b)
    return ((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-8)).max().item()


def _numerical_grad(f, inputs, i, h=1e-6):
    """Central-difference gradient of the scalar f(*inputs) with respect to inputs[i] (float64)."""
    inputs = [t.detach().clone().to(torch.float64) for t in inputs]
    grad = torch.zeros_like(inputs[i])
    flat, gflat = inputs[i].view(-1), grad.view(-1)
    for j in range(flat.numel()):
        old = flat[j].item()
        flat[j] = old + h
        plus = f(*inputs).item()
        flat[j] = old - h
        minus = f(*inputs).item()
        flat[j] = old
        gflat[j] = (plus - minus) / (2 * h)
    return grad


def _autograd(f, inputs, dout=None):
    """Output of f(*inputs) and the gradients of sum(out * dout) (or of the scalar out) by autograd."""
    leaves = [t.detach().clone().requires_grad_(True) for t in inputs]
    out = f(*leaves)
    grads = torch.autograd.grad(out, leaves, grad_outputs=dout)
    return out.detach(), [g.detach() for g in grads]


def _shape(t):
    return tuple(torch.as_tensor(t).shape)


# ---------------------------------------------------------------- probes (run in the sandbox)


def probe_linear(ns, x, W, b, dout):
    def arr(v):
        try:  # a Python float keeps double precision
            return torch.as_tensor(v, dtype=torch.float64 if isinstance(v, float) else None).detach().clone()
        except (TypeError, ValueError, RuntimeError):
            return None

    before = [x.clone(), W.clone(), b.clone()]
    with policy.no_autograd():
        out, cache = ns["linear_forward"](x, W, b)
        grads = ns["linear_backward"](dout, cache)
    ok = isinstance(grads, (tuple, list)) and len(grads) == 3
    dx, dW, db = grads if ok else (None, None, None)
    return {"out": arr(out), "dx": arr(dx), "dW": arr(dW), "db": arr(db), "three": ok,
            "unchanged": all(torch.equal(t, t0) for t, t0 in zip((x, W, b), before))}


def probe_relu(ns, x, dout):
    def arr(v):
        try:  # a Python float keeps double precision
            return torch.as_tensor(v, dtype=torch.float64 if isinstance(v, float) else None).detach().clone()
        except (TypeError, ValueError, RuntimeError):
            return None

    before = x.clone()
    with policy.no_autograd():
        out, cache = ns["relu_forward"](x)
        out = arr(out)  # copied before backward runs, in case backward changes it
        dx = ns["relu_backward"](dout, cache)
    return {"out": out, "dx": arr(dx), "unchanged": torch.equal(x, before)}


def probe_mse(ns, pred, target):
    def arr(v):
        try:  # a Python float keeps double precision
            return torch.as_tensor(v, dtype=torch.float64 if isinstance(v, float) else None).detach().clone()
        except (TypeError, ValueError, RuntimeError):
            return None

    before = [pred.clone(), target.clone()]
    with policy.no_autograd():
        result = ns["mse_loss"](pred, target)
    ok = isinstance(result, (tuple, list)) and len(result) == 2
    loss, dpred = result if ok else (None, None)
    return {"loss": arr(loss), "dpred": arr(dpred), "two": ok,
            "unchanged": all(torch.equal(t, t0) for t, t0 in zip((pred, target), before))}


def probe_deepnet_gradients(ns, state, r, target):
    # deepnet_gradients calls the student's linear_forward, relu_forward, mse_loss and their
    # backwards.  To grade it on its own (a mistake in those exercises must not cost points here
    # too), the names are swapped in ns for correct implementations, written here as plain tensor
    # formulas with the caches the notebook documents, and restored afterwards.  A student whose
    # deepnet_gradients does not call these names is graded on their own code, as written.
    def linear_forward(x, W, b):
        return x @ W.T + b, (x, W, b)

    def linear_backward(dout, cache):
        x, W, _ = cache
        return dout @ W, dout.T @ x, dout.sum(dim=0)

    def relu_forward(x):
        return x.clamp(min=0), x

    def relu_backward(dout, cache):
        return dout * (cache > 0)

    def mse_loss(pred, target):
        diff = pred - target
        return (diff ** 2).mean(), 2 * diff / diff.numel()

    class RefNet(nn.Module):  # the grader's own network, so that DeepNetReLU's exercise is not involved
        def __init__(self):
            super().__init__()
            w1, w2 = state["in_layer.weight"], state["out_layer.weight"]
            self.in_layer = nn.Linear(w1.shape[1], w1.shape[0])
            self.out_layer = nn.Linear(w2.shape[1], w2.shape[0])

        def forward(self, x):
            return self.out_layer(torch.relu(self.in_layer(x)))

    net = RefNet().to(r.dtype)
    net.load_state_dict(state)
    correct = {"linear_forward": linear_forward, "linear_backward": linear_backward,
               "relu_forward": relu_forward, "relu_backward": relu_backward, "mse_loss": mse_loss}
    defined = set(ns)
    saved = {name: ns[name] for name in correct if name in defined}
    for name, fn in correct.items():
        ns[name] = fn
    try:
        with policy.no_autograd():
            grads = ns["deepnet_gradients"](net, r, target)
    finally:
        for name in correct:
            if name in saved:
                ns[name] = saved[name]
            elif name in set(ns):
                del ns[name]
    unchanged = all(torch.equal(p, state[k]) for k, p in net.state_dict().items())
    if not isinstance(grads, dict):
        return {"dict": False, "type": type(grads).__name__, "unchanged": unchanged}
    out = {}
    for k, v in grads.items():
        try:
            out[str(k)] = torch.as_tensor(v).detach().clone()
        except (TypeError, ValueError, RuntimeError):
            out[str(k)] = None
    return {"dict": True, "grads": out, "unchanged": unchanged}


# ---------------------------------------------------------------- linear_layer


def _linear_fn(x, W, b):
    return x @ W.T + b


# (N, D_in, D_out)
LINEAR_SHAPES = {"4x3->5": (4, 3, 5), "batch-of-1": (1, 6, 2), "8x5->3": (8, 5, 3)}


@_per_case
def _linear_case(shape, dtype):
    n, d_in, d_out = LINEAR_SHAPES[shape]
    seed = n * 100 + d_in * 10 + d_out
    x = _randn((n, d_in), seed, DTYPES[dtype], zeros=0.2)
    W = _randn((d_out, d_in), seed + 1, DTYPES[dtype])
    b = _randn((d_out,), seed + 2, DTYPES[dtype])
    dout = _randn((n, d_out), seed + 3, DTYPES[dtype])
    return x, W, b, dout


@pytest.mark.exercise("linear_layer")
@pytest.mark.public
def test_linear_shapes(student):
    """linear_forward and linear_backward return the documented shapes."""
    x, W, b, dout = _linear_case("4x3->5", "float32")
    got = _run(student, probe_linear, x, W, b, dout)
    assert got["three"], "linear_backward must return three tensors: (dx, dW, db)"
    want = {"out": (4, 5), "dx": (4, 3), "dW": (5, 3), "db": (5,)}
    what = {"out": "(N, D_out)", "dx": "the shape of x, (N, D_in)", "dW": "the shape of W, (D_out, D_in)",
            "db": "the shape of b, (D_out,)"}
    for name, shape in want.items():
        assert got[name] is not None and _shape(got[name]) == shape, \
            f"{name} must have {what[name]} = {shape} for N=4, D_in=3, D_out=5"


@pytest.mark.exercise("linear_layer")
@pytest.mark.public
def test_linear_worked_example(student):
    """The public cell's worked case."""
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    W = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    b = torch.tensor([0.0, 1.0, 2.0])
    dout = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    got = _run(student, probe_linear, x, W, b, dout)
    out, (dx, dW, db) = _autograd(_linear_fn, [x, W, b], dout)
    for name, want in {"out": out, "dx": dx, "dW": dW, "db": db}.items():
        assert got.get(name) is not None and _close(got[name], want, torch.float32), \
            f"{name} is wrong on the public cell's worked case; run the public test in the notebook"


LINEAR_GRID = [pytest.param(s, d, id=f"{s}-{d}") for s in LINEAR_SHAPES for d in DTYPES]


@pytest.mark.exercise("linear_layer")
@pytest.mark.parametrize("shape,dtype", LINEAR_GRID)
def test_linear_forward(student, shape, dtype):
    """out = x @ W.T + b."""
    x, W, b, dout = _linear_case(shape, dtype)
    got = _run(student, probe_linear, x, W, b, dout)
    assert _close(got["out"], _linear_fn(x, W, b), DTYPES[dtype]), \
        f"linear_forward is wrong ({dtype}, N, D_in, D_out = {LINEAR_SHAPES[shape]}): out = x @ W.T + b"


@pytest.mark.exercise("linear_layer")
@pytest.mark.parametrize("shape,dtype", LINEAR_GRID)
def test_linear_dx(student, shape, dtype):
    """dx matches autograd."""
    x, W, b, dout = _linear_case(shape, dtype)
    got = _run(student, probe_linear, x, W, b, dout)
    _, (dx, _, _) = _autograd(_linear_fn, [x, W, b], dout)
    assert got["dx"] is not None and _close(got["dx"], dx, DTYPES[dtype]), (
        f"dx is wrong ({dtype}, N, D_in, D_out = {LINEAR_SHAPES[shape]}): dx = dout @ W, "
        "shape (N, D_in)")


@pytest.mark.exercise("linear_layer")
@pytest.mark.parametrize("shape,dtype", LINEAR_GRID)
def test_linear_dW(student, shape, dtype):
    """dW matches autograd."""
    x, W, b, dout = _linear_case(shape, dtype)
    got = _run(student, probe_linear, x, W, b, dout)
    _, (_, dW, _) = _autograd(_linear_fn, [x, W, b], dout)
    assert got["dW"] is not None and _close(got["dW"], dW, DTYPES[dtype]), (
        f"dW is wrong ({dtype}, N, D_in, D_out = {LINEAR_SHAPES[shape]}): dW = dout.T @ x, "
        "with the shape of W, (D_out, D_in), not its transpose")


@pytest.mark.exercise("linear_layer")
@pytest.mark.parametrize("shape,dtype", LINEAR_GRID)
def test_linear_db(student, shape, dtype):
    """db matches autograd."""
    x, W, b, dout = _linear_case(shape, dtype)
    got = _run(student, probe_linear, x, W, b, dout)
    _, (_, _, db) = _autograd(_linear_fn, [x, W, b], dout)
    assert got["db"] is not None and _close(got["db"], db, DTYPES[dtype]), (
        f"db is wrong ({dtype}, N, D_in, D_out = {LINEAR_SHAPES[shape]}): the bias is added to every "
        "sample, so db sums dout over the batch (dim 0), shape (D_out,)")


@_per_case
def _linear_numeric(shape):
    x, W, b, dout = _linear_case(shape, "float64")
    return [_numerical_grad(lambda x_, W_, b_: (_linear_fn(x_, W_, b_) * dout).sum(), [x, W, b], i)
            for i in range(3)]


@pytest.mark.exercise("linear_layer")
@pytest.mark.parametrize("shape", LINEAR_SHAPES)
def test_linear_numerical_gradient(student, shape):
    """dx, dW, db agree with central differences (float64)."""
    x, W, b, dout = _linear_case(shape, "float64")
    got = _run(student, probe_linear, x, W, b, dout)
    for name, num in zip(["dx", "dW", "db"], _linear_numeric(shape)):
        assert got[name] is not None and _shape(got[name]) == tuple(num.shape), \
            f"{name} has the wrong shape for N, D_in, D_out = {LINEAR_SHAPES[shape]}"
        assert _rel_error(got[name], num) < 1e-6, \
            f"{name} disagrees with the numerical gradient (central differences), float64, shape {shape}"


@pytest.mark.exercise("linear_layer")
@pytest.mark.weight(0.5)
def test_linear_does_not_modify_inputs(student):
    """linear_forward and linear_backward leave x, W and b unchanged."""
    x, W, b, dout = _linear_case("8x5->3", "float64")
    got = _run(student, probe_linear, x, W, b, dout)
    assert got["unchanged"], "linear_forward/linear_backward changed x, W or b in place; compute new tensors"


# ---------------------------------------------------------------- relu_layer

RELU_SHAPES = {"4x5": (4, 5), "batch-of-1": (1, 3), "6x1": (6, 1), "2x3x4": (2, 3, 4)}


@_per_case
def _relu_case(shape, dtype):
    dims = RELU_SHAPES[shape]
    seed = sum(d * 7 ** i for i, d in enumerate(dims))
    x = _randn(dims, seed, DTYPES[dtype], zeros=0.25, away=0.05)  # exact zeros at the kink
    dout = _randn(dims, seed + 1, DTYPES[dtype], away=0.05)  # both signs, never 0
    return x, dout


RELU_GRID = [pytest.param(s, d, id=f"{s}-{d}") for s in RELU_SHAPES for d in DTYPES]


@pytest.mark.exercise("relu_layer")
@pytest.mark.public
def test_relu_shapes(student):
    """relu_forward and relu_backward keep the shape of x."""
    x, dout = _relu_case("4x5", "float32")
    got = _run(student, probe_relu, x, dout)
    assert got["out"] is not None and _shape(got["out"]) == (4, 5), "relu_forward's out must have the shape of x"
    assert got["dx"] is not None and _shape(got["dx"]) == (4, 5), "relu_backward's dx must have the shape of x"


@pytest.mark.exercise("relu_layer")
@pytest.mark.public
def test_relu_worked_example(student):
    """The public cell's worked case."""
    x = torch.tensor([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]])
    dout = torch.tensor([[5.0, 6.0, 7.0], [-1.0, 2.0, -3.0]])
    got = _run(student, probe_relu, x, dout)
    out, (dx,) = _autograd(torch.relu, [x], dout)
    assert _close(got["out"], out, torch.float32), "relu_forward is wrong on the public cell's worked case"
    assert got["dx"] is not None and _close(got["dx"], dx, torch.float32), \
        "relu_backward is wrong on the public cell's worked case"


@pytest.mark.exercise("relu_layer")
@pytest.mark.parametrize("shape,dtype", RELU_GRID)
def test_relu_forward(student, shape, dtype):
    """out = max(x, 0) elementwise."""
    x, dout = _relu_case(shape, dtype)
    got = _run(student, probe_relu, x, dout)
    assert _close(got["out"], torch.relu(x), DTYPES[dtype]), \
        f"relu_forward is wrong ({dtype}, shape {RELU_SHAPES[shape]}): out = max(x, 0) elementwise, same shape as x"


@pytest.mark.exercise("relu_layer")
@pytest.mark.weight(2)
@pytest.mark.parametrize("shape,dtype", RELU_GRID)
def test_relu_backward_away_from_zero(student, shape, dtype):
    """Where x != 0, dx matches autograd: dout where x > 0, 0 where x < 0."""
    x, dout = _relu_case(shape, dtype)
    got = _run(student, probe_relu, x, dout)
    _, (dx,) = _autograd(torch.relu, [x], dout)
    assert got["dx"] is not None and _shape(got["dx"]) == tuple(x.shape), \
        f"relu_backward's dx must have the shape of x, {tuple(x.shape)}"
    keep = x != 0
    assert _close(_as64(got["dx"])[keep], dx[keep], DTYPES[dtype]), (
        f"relu_backward is wrong where x != 0 ({dtype}, shape {RELU_SHAPES[shape]}): dx = dout where x > 0 and 0 "
        "where x < 0; the mask comes from the cached input x, not from dout")


@pytest.mark.exercise("relu_layer")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ["4x5", "2x3x4"])
def test_relu_gradient_at_zero(student, shape, dtype):
    """At exactly x = 0 the gradient is 0, as in PyTorch."""
    x, dout = _relu_case(shape, dtype)
    got = _run(student, probe_relu, x, dout)
    assert got["dx"] is not None and _shape(got["dx"]) == tuple(x.shape), \
        f"relu_backward's dx must have the shape of x, {tuple(x.shape)}"
    assert bool((_as64(got["dx"])[x == 0] == 0).all()), \
        "relu_backward must give gradient 0 where x is exactly 0 (PyTorch's convention): mask with x > 0, not x >= 0"


@_per_case
def _relu_numeric(shape):
    x, dout = _relu_case(shape, "float64")
    return _numerical_grad(lambda x_: (torch.relu(x_) * dout).sum(), [x], 0)


@pytest.mark.exercise("relu_layer")
@pytest.mark.parametrize("shape", ["4x5", "6x1"])
def test_relu_numerical_gradient(student, shape):
    """Away from the kink, dx agrees with central differences (float64)."""
    x, dout = _relu_case(shape, "float64")
    got = _run(student, probe_relu, x, dout)
    num = _relu_numeric(shape)
    keep = x != 0  # ReLU has no derivative at the kink
    assert got["dx"] is not None and _shape(got["dx"]) == tuple(x.shape), \
        f"relu_backward's dx must have the shape of x, {tuple(x.shape)}"
    assert _rel_error(_as64(got["dx"])[keep], num[keep]) < 1e-6, \
        "relu_backward disagrees with the numerical gradient (central differences) away from x = 0"


@pytest.mark.exercise("relu_layer")
@pytest.mark.weight(2)
def test_relu_does_not_modify_input(student):
    """relu_forward and relu_backward leave x unchanged."""
    x, dout = _relu_case("4x5", "float64")
    got = _run(student, probe_relu, x, dout)
    assert got["unchanged"], ("relu_forward or relu_backward changed x in place (e.g. x[x < 0] = 0 or "
                              "x.clamp_()); compute a new tensor instead")


# ---------------------------------------------------------------- mse_loss

MSE_SHAPES = {"4x1": (4, 1), "batch-of-1": (1, 1), "5x3": (5, 3)}
MSE_GRID = [pytest.param(s, d, id=f"{s}-{d}") for s in MSE_SHAPES for d in DTYPES]


@_per_case
def _mse_case(shape, dtype):
    dims = MSE_SHAPES[shape]
    seed = 31 * dims[0] + dims[1]
    pred = _randn(dims, seed, DTYPES[dtype]) * 3.0
    target = _randn(dims, seed + 1, DTYPES[dtype]) * 3.0
    return pred, target


@pytest.mark.exercise("mse_loss")
@pytest.mark.public
def test_mse_shapes(student):
    """mse_loss returns a scalar loss and dpred with the shape of pred."""
    pred, target = _mse_case("5x3", "float32")
    got = _run(student, probe_mse, pred, target)
    assert got["two"], "mse_loss must return two values: (loss, dpred)"
    assert got["loss"] is not None and got["loss"].numel() == 1, \
        "the loss must be a single number: the mean over all elements"
    assert got["dpred"] is not None and _shape(got["dpred"]) == (5, 3), "dpred must have the shape of pred, (N, K)"


@pytest.mark.exercise("mse_loss")
@pytest.mark.public
def test_mse_worked_example(student):
    """The public cell's worked case."""
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    target = torch.tensor([[0.0, 2.0], [3.0, 6.0]])
    got = _run(student, probe_mse, pred, target)
    loss, (dpred,) = _autograd(lambda p: nn.MSELoss()(p, target), [pred])
    assert got["loss"] is not None and got["loss"].numel() == 1, \
        "the loss must be a single number: the mean over all elements"
    assert _close(got["loss"].reshape(()), loss, torch.float32), "the loss is wrong on the public cell's worked case"
    assert got["dpred"] is not None and _close(got["dpred"], dpred, torch.float32), \
        "dpred is wrong on the public cell's worked case"


@pytest.mark.exercise("mse_loss")
@pytest.mark.parametrize("shape,dtype", MSE_GRID)
def test_mse_loss_value(student, shape, dtype):
    """The loss equals nn.MSELoss() (mean over all elements)."""
    pred, target = _mse_case(shape, dtype)
    got = _run(student, probe_mse, pred, target)
    want = nn.MSELoss()(pred, target)
    assert got["loss"] is not None and got["loss"].numel() == 1, \
        "the loss must be a single number: the mean over all elements"
    assert _close(got["loss"].reshape(()), want, DTYPES[dtype]), (
        f"the loss differs from nn.MSELoss() ({dtype}, pred shape {MSE_SHAPES[shape]}): square the differences "
        "and average over all N * K elements")


@pytest.mark.exercise("mse_loss")
@pytest.mark.weight(2)
@pytest.mark.parametrize("shape,dtype", MSE_GRID)
def test_mse_gradient(student, shape, dtype):
    """dpred matches autograd through nn.MSELoss()."""
    pred, target = _mse_case(shape, dtype)
    got = _run(student, probe_mse, pred, target)
    _, (dpred,) = _autograd(lambda p: nn.MSELoss()(p, target), [pred])
    assert got["dpred"] is not None and _close(got["dpred"], dpred, DTYPES[dtype]), (
        f"dpred is wrong ({dtype}, pred shape {MSE_SHAPES[shape]}): dpred = 2 * (pred - target) / M, with the "
        "factor 2 and M = N * K the number of elements (not the batch size N)")


@_per_case
def _mse_numeric(shape):
    pred, target = _mse_case(shape, "float64")
    return _numerical_grad(lambda p: nn.MSELoss()(p, target), [pred], 0)


@pytest.mark.exercise("mse_loss")
@pytest.mark.parametrize("shape", MSE_SHAPES)
def test_mse_numerical_gradient(student, shape):
    """dpred agrees with central differences of nn.MSELoss() (float64)."""
    pred, target = _mse_case(shape, "float64")
    got = _run(student, probe_mse, pred, target)
    num = _mse_numeric(shape)
    assert got["dpred"] is not None and _shape(got["dpred"]) == tuple(pred.shape), \
        f"dpred must have the shape of pred, {tuple(pred.shape)}"
    assert _rel_error(got["dpred"], num) < 1e-6, \
        f"dpred disagrees with the numerical gradient (central differences), pred shape {MSE_SHAPES[shape]}"


@pytest.mark.exercise("mse_loss")
@pytest.mark.weight(0.5)
def test_mse_does_not_modify_inputs(student):
    """mse_loss leaves pred and target unchanged."""
    pred, target = _mse_case("5x3", "float64")
    got = _run(student, probe_mse, pred, target)
    assert got["unchanged"], "mse_loss changed pred or target in place; compute new tensors"


# ---------------------------------------------------------------- deepnet_gradients

PARAMS = ["in_layer.weight", "in_layer.bias", "out_layer.weight", "out_layer.bias"]
# (N, D, M, K, dead unit): N samples, D inputs, M hidden units, K outputs
NET_SHAPES = {"6x5-4-1": (6, 5, 4, 1, False), "batch-of-1": (1, 7, 3, 1, False),
              "two-outputs": (9, 4, 6, 2, False), "unit-at-kink": (5, 4, 3, 1, True)}
NET_GRID = [pytest.param(s, d, id=f"{s}-{d}") for s in NET_SHAPES for d in DTYPES]


@_per_case
def _net_case(shape, dtype):
    n, d, m, k, dead = NET_SHAPES[shape]
    dt = DTYPES[dtype]
    seed = 1000 + 97 * n + 13 * d + m
    state = {"in_layer.weight": _randn((m, d), seed) / d ** 0.5, "in_layer.bias": _randn((m,), seed + 1) * 0.3,
             "out_layer.weight": _randn((k, m), seed + 2) / m ** 0.5, "out_layer.bias": _randn((k,), seed + 3)}
    if dead:  # hidden unit 0 sits exactly at the ReLU kink for every sample
        state["in_layer.weight"][0] = 0.0
        state["in_layer.bias"][0] = 0.0
    state = {name: v.to(dt) for name, v in state.items()}
    r = _randn((n, d), seed + 4, dt, zeros=0.2)
    target = _randn((n, k), seed + 5, dt) * 2.0
    return state, r, target


def _net_loss(r, target, W1, b1, W2, b2):
    pred = torch.relu(r @ W1.T + b1) @ W2.T + b2
    return nn.MSELoss()(pred, target)


def _net_autograd(state, r, target):
    _, grads = _autograd(lambda *p: _net_loss(r, target, *p), [state[name] for name in PARAMS])
    return dict(zip(PARAMS, grads))


@_per_case
def _net_exact(shape, dtype):
    return _net_autograd(*_net_case(shape, dtype))


def _check_dict(got):
    assert got["dict"], f"deepnet_gradients must return a dict, got a {got.get('type')}"
    assert sorted(got["grads"]) == sorted(PARAMS), f"deepnet_gradients must return a dict with the keys {PARAMS}"


@pytest.mark.exercise("deepnet_gradients")
@pytest.mark.public
def test_deepnet_gradients_keys_and_shapes(student):
    """deepnet_gradients returns the four parameter names, each with the parameter's shape."""
    state, r, target = _net_case("6x5-4-1", "float32")
    got = _run(student, probe_deepnet_gradients, state, r, target)
    _check_dict(got)
    for name in PARAMS:
        g = got["grads"][name]
        assert g is not None and _shape(g) == tuple(state[name].shape), \
            f"the gradient of {name} must have the parameter's shape {tuple(state[name].shape)}"


@pytest.mark.exercise("deepnet_gradients")
@pytest.mark.public
def test_deepnet_gradients_worked_example(student):
    """The public cell's worked case."""
    state = {"in_layer.weight": torch.tensor([[1.0, 0.0], [0.0, 1.0]]), "in_layer.bias": torch.tensor([0.0, -2.0]),
             "out_layer.weight": torch.tensor([[2.0, 3.0]]), "out_layer.bias": torch.tensor([0.5])}
    r, target = torch.tensor([[1.0, 1.0]]), torch.tensor([[1.5]])
    got = _run(student, probe_deepnet_gradients, state, r, target)
    _check_dict(got)
    for name, want in _net_autograd(state, r, target).items():
        assert got["grads"][name] is not None and _close(got["grads"][name], want, torch.float32), \
            f"the gradient of {name} is wrong on the public cell's worked case"


@pytest.mark.exercise("deepnet_gradients")
@pytest.mark.weight(2)
@pytest.mark.parametrize("shape,dtype", NET_GRID)
def test_deepnet_gradients_match_autograd(student, shape, dtype):
    """All four gradients match autograd on the MSE loss of the network."""
    state, r, target = _net_case(shape, dtype)
    got = _run(student, probe_deepnet_gradients, state, r, target)
    _check_dict(got)
    n, d, m, k, _ = NET_SHAPES[shape]
    for name, want in _net_exact(shape, dtype).items():
        g = got["grads"][name]
        assert g is not None and _shape(g) == tuple(want.shape), \
            f"the gradient of {name} must have the parameter's shape {tuple(want.shape)}"
        assert _close(g, want, DTYPES[dtype]), (
            f"the gradient of {name} differs from autograd ({dtype}, N={n}, D={d}, M={m}, K={k}): run the forward "
            "pass keeping each cache, start the backward pass from mse_loss's dpred, and pass each cache to "
            "its own backward in reverse order (the ReLU between the two linear layers included)")


@_per_case
def _net_numeric(shape):
    """Central differences of the loss for each parameter; at the kink (a unit sitting exactly at 0, where
    they straddle two slopes) autograd's value instead."""
    state, r, target = _net_case(shape, "float64")
    params = [state[name] for name in PARAMS]
    exact = _net_autograd(state, r, target)
    out = {}
    for i, name in enumerate(PARAMS):
        num = _numerical_grad(lambda *p: _net_loss(r, target, *p), params, i)
        at_kink = (num - exact[name]).abs() > 1e-4
        num[at_kink] = exact[name][at_kink]
        out[name] = num
    return out


@pytest.mark.exercise("deepnet_gradients")
@pytest.mark.parametrize("shape", NET_SHAPES)
def test_deepnet_gradients_numerical(student, shape):
    """The gradients agree with central differences of the loss (float64)."""
    state, r, target = _net_case(shape, "float64")
    got = _run(student, probe_deepnet_gradients, state, r, target)
    _check_dict(got)
    for name, num in _net_numeric(shape).items():
        g = got["grads"][name]
        assert g is not None and _shape(g) == tuple(num.shape), \
            f"the gradient of {name} must have the parameter's shape {tuple(num.shape)}"
        assert _rel_error(g, num) < 1e-6, \
            f"the gradient of {name} disagrees with the numerical gradient (central differences), case {shape}"


@pytest.mark.exercise("deepnet_gradients")
@pytest.mark.weight(0.5)
def test_deepnet_gradients_leave_network_unchanged(student):
    """deepnet_gradients only computes gradients; it does not change the network."""
    state, r, target = _net_case("6x5-4-1", "float64")
    got = _run(student, probe_deepnet_gradients, state, r, target)
    assert got["unchanged"], "deepnet_gradients changed the network's parameters; it must only compute gradients"
