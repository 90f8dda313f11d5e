"""Hidden suite of Tutorial 2: conv2d from scratch (against torch.nn.functional.conv2d) and ConvolutionalLayer.

The oracle is PyTorch itself, run here in the trusted process; the student's
code runs only inside probes.  conv2d is always called under
policy.no_library_conv(), so a library convolution reached by any route fails.
"""
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F

CONV2D = pytest.mark.exercise("conv2d")
CONV_LAYER = pytest.mark.exercise("conv_layer")


# ---------------------------------------------------------------- probes (run beside the notebook's code)

def probe_conv2d(ns, x, weight, kwargs):
    """Call conv2d under the no-library-convolution policy; report its output and whether it changed its inputs."""
    before = (x.clone(), weight.clone(), None if kwargs.get("bias") is None else kwargs["bias"].clone())
    with policy.no_library_conv():
        out = ns["conv2d"](x, weight, **kwargs)
    if isinstance(out, torch.Tensor):
        out = out.detach()
    after = (x, weight, kwargs.get("bias"))
    unchanged = all(a is None or torch.equal(a, b) for a, b in zip(before, after))
    return {"out": out, "inputs_unchanged": unchanged}


def probe_conv2d_grads(ns, x, weight, kwargs, grad_out):
    """Forward under the policy, then autograd through the ops the student used: gradients of sum(out * grad_out)."""
    x = x.detach().requires_grad_(True)
    weight = weight.detach().requires_grad_(True)
    bias = kwargs.get("bias")
    if bias is not None:
        bias = kwargs["bias"] = bias.detach().requires_grad_(True)
    with policy.no_library_conv():
        out = ns["conv2d"](x, weight, **kwargs)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != tuple(grad_out.shape):
        return {"shape_ok": False}
    if not out.requires_grad:
        return {"shape_ok": True, "connected": False}
    (out * grad_out.to(out.dtype)).sum().backward()
    return {"shape_ok": True, "connected": True, "dx": x.grad, "dweight": weight.grad,
            "dbias": None if bias is None else bias.grad}


def probe_policy_holds(ns, x, weight):
    """Run conv2d, then try library convolutions by indirect routes; report which ones the policy stopped."""
    import importlib

    with policy.no_library_conv():
        out = ns["conv2d"](x, weight)
    routes = {
        "importlib": lambda: getattr(importlib.import_module("torch.nn.functional"), "conv" + "2d")(x, weight),
        "getattr": lambda: getattr(torch, "conv" + "2d")(x, weight),
        "aten": lambda: getattr(torch.ops.aten, "convolution")(x, weight, None, [1, 1], [0, 0], [1, 1],
                                                               False, [0, 0], 1),
        "fft": lambda: getattr(importlib.import_module("torch.fft"), "rfft2")(x),
    }
    stopped = {}
    for name, route in routes.items():
        try:
            with policy.no_library_conv():
                route()
            stopped[name] = False
        except policy.PolicyViolation:
            stopped[name] = True
    return {"out": out.detach() if isinstance(out, torch.Tensor) else out, "stopped": stopped}


def probe_layer(ns, c_in, c_out, K, filters, s):
    """Build ConvolutionalLayer (with filters when given); when s is given, run it and backprop sum(out)."""
    kwargs = {} if filters is None else {"filters": filters.clone()}
    if c_in is None:
        layer = ns["ConvolutionalLayer"](**kwargs)
    else:
        layer = ns["ConvolutionalLayer"](c_in=c_in, c_out=c_out, K=K, **kwargs)
    conv = layer.conv
    weight, bias = conv.weight, conv.bias
    report = {
        "is_conv2d": isinstance(conv, nn.Conv2d),
        "weight": weight.detach().clone(),
        "bias": None if bias is None else bias.detach().clone(),
        "parameters": {name: isinstance(p, nn.Parameter) and p.requires_grad for name, p in layer.named_parameters()},
    }
    if s is None:
        return report
    out = layer(s)
    report["out"] = out.detach().clone() if isinstance(out, torch.Tensor) else out
    if isinstance(out, torch.Tensor) and out.requires_grad:
        out.sum().backward()
        report["dweight"] = weight.grad
        report["dbias"] = None if bias is None else bias.grad
    return report


# ---------------------------------------------------------------- conv2d: data and oracle (trusted process)

@dataclass(frozen=True)
class Case:
    what: str  # what this case exercises, in words a student can act on
    n: int
    c_in: int
    c_out: int
    h: int
    w: int
    kh: int
    kw: int
    stride: object = 1  # int or pair; None means "not passed" (default)
    padding: object = 0
    bias: bool = True
    dtype: torch.dtype = torch.float32

    def data(self, seed):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(self.n, self.c_in, self.h, self.w, generator=g, dtype=torch.float64).to(self.dtype)
        weight = torch.randn(self.c_out, self.c_in, self.kh, self.kw, generator=g, dtype=torch.float64).to(self.dtype)
        kwargs = {}
        if self.bias:
            kwargs["bias"] = torch.randn(self.c_out, generator=g, dtype=torch.float64).to(self.dtype)
        if self.stride is not None:
            kwargs["stride"] = self.stride
        if self.padding is not None:
            kwargs["padding"] = self.padding
        return x, weight, kwargs

    def describe(self):
        return (f"{self.what} (x {self.n}x{self.c_in}x{self.h}x{self.w}, weight {self.c_out}x{self.c_in}x"
                f"{self.kh}x{self.kw}, stride={'default' if self.stride is None else self.stride}, "
                f"padding={'default' if self.padding is None else self.padding}, "
                f"{'with' if self.bias else 'without'} bias, {str(self.dtype).replace('torch.', '')})")


CASES = [
    Case("one image, one channel, defaults for stride and padding", 1, 1, 1, 5, 6, 3, 3, None, None, bias=False),
    Case("a batch with several input and output channels", 3, 3, 4, 6, 7, 3, 3),
    Case("many input channels summed into each output channel", 1, 5, 2, 5, 4, 2, 2, bias=False),
    Case("a wide non-square kernel", 2, 2, 3, 7, 6, 2, 4),
    Case("a tall non-square kernel", 2, 1, 2, 6, 5, 5, 1),
    Case("padding given as an int", 2, 2, 3, 5, 7, 3, 3, 1, 1),
    Case("padding given as an int with a non-square kernel", 1, 2, 2, 4, 6, 3, 2, 1, 2),
    Case("padding given as a pair (pad_h, pad_w)", 2, 2, 3, 5, 6, 3, 3, 1, (2, 1)),
    Case("padding only along the width, as a pair", 1, 1, 2, 4, 5, 2, 3, 1, (0, 3)),
    Case("stride given as an int", 2, 2, 3, 9, 8, 3, 3, 2, 0),
    Case("a stride that does not divide the input evenly (round down)", 1, 2, 2, 10, 8, 2, 2, 3, 0),
    Case("stride given as a pair (stride_h, stride_w)", 2, 2, 3, 7, 9, 3, 3, (2, 1), 0),
    Case("stride given as a pair, larger along the width", 1, 2, 2, 6, 11, 2, 2, (1, 3), 0),
    Case("stride and padding as pairs with a non-square kernel", 2, 2, 3, 8, 9, 3, 4, (2, 3), (1, 2)),
    Case("stride and padding as pairs, float64", 2, 2, 3, 8, 9, 3, 4, (2, 3), (1, 2), dtype=torch.float64),
    Case("padding as an int, no bias, float64", 1, 3, 2, 6, 5, 3, 3, 1, 1, bias=False, dtype=torch.float64),
    Case("a kernel as large as the input (one output pixel)", 2, 2, 3, 4, 5, 4, 5),
    Case("a 1x1 kernel with stride 2 and padding 1 (the border outputs are the bias)", 2, 3, 2, 5, 6, 1, 1, 2, 1),
]


def oracle(x, weight, kwargs):
    return F.conv2d(x, weight, **kwargs)


def tolerance(dtype):
    return {"rtol": 1e-10, "atol": 1e-10} if dtype == torch.float64 else {"rtol": 1e-4, "atol": 1e-4}


def check_output(got, want, what):
    """Assert that a student's output has want's shape, dtype and values; messages never show want."""
    assert got is not None, f"conv2d returned None for {what}; return the output tensor"
    got = torch.as_tensor(got)
    assert tuple(got.shape) == tuple(want.shape), (
        f"conv2d returned shape {tuple(got.shape)} for {what}; check the output size "
        "floor((H + 2*pad_h - KH) / stride_h) + 1 and likewise for the width")
    assert got.dtype == want.dtype, (
        f"conv2d returned {str(got.dtype).replace('torch.', '')} for {what}; return the dtype of the input "
        "(create new tensors with x.new_zeros(...) or dtype=x.dtype)")
    assert torch.allclose(got, want, **tolerance(want.dtype)), (
        f"conv2d's values differ from torch.nn.functional.conv2d for {what}")


# ---------------------------------------------------------------- conv2d tests

@CONV2D
@pytest.mark.public
def test_conv2d_worked_case(student):
    """The public cell's small case: a 2x2 kernel on a 4x4 ramp, with bias, padding and stride."""
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    w = torch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]])
    variants = [("defaults", {}), ("bias=[1.0]", {"bias": torch.tensor([1.0])}), ("padding=1", {"padding": 1}),
                ("stride=2", {"stride": 2}), ("stride=(1, 3)", {"stride": (1, 3)})]
    for label, kwargs in variants:
        got = student.run(probe_conv2d, x, w, kwargs)["out"]
        check_output(got, oracle(x, w, kwargs), f"the public example (4x4 ramp, 2x2 kernel) with {label}")


@CONV2D
@pytest.mark.public
def test_conv2d_public_shapes(student):
    """The public cell's comparison with PyTorch: a batch, channels, a 3x2 kernel, bias, stride and padding."""
    g = torch.Generator().manual_seed(7)
    x, w, b = torch.randn(2, 3, 7, 9, generator=g), torch.randn(4, 3, 3, 2, generator=g), torch.randn(4, generator=g)
    for kwargs in [{}, {"stride": 2, "padding": 1}, {"stride": (2, 1), "padding": (0, 2)}]:
        label = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"
        kwargs = {"bias": b, **kwargs}
        got = student.run(probe_conv2d, x, w, kwargs)["out"]
        check_output(got, oracle(x, w, kwargs), f"the public example (x 2x3x7x9, weight 4x3x3x2, bias) with {label}")


@CONV2D
@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_conv2d_matches_torch(student, case):
    """conv2d equals torch.nn.functional.conv2d (shape, dtype, values) and leaves its inputs unchanged."""
    x, weight, kwargs = case.data(seed=CASES.index(case))
    reply = student.run(probe_conv2d, x, weight, kwargs)
    check_output(reply["out"], oracle(x, weight, kwargs), case.describe())
    assert reply["inputs_unchanged"], f"conv2d modified its input tensors in place for {case.describe()}; work on copies"


GRAD_CASES = [CASES[1], CASES[13], CASES[15]]


@CONV2D
@pytest.mark.parametrize("case", GRAD_CASES, ids=["channels", "pairs", "float64_no_bias"])
def test_conv2d_gradients_flow(student, case):
    """Autograd through conv2d gives the same input, weight and bias gradients as through F.conv2d."""
    x, weight, kwargs = case.data(seed=100 + GRAD_CASES.index(case))
    x, weight = x.requires_grad_(True), weight.requires_grad_(True)
    if "bias" in kwargs:
        kwargs["bias"].requires_grad_(True)
    want = oracle(x, weight, kwargs)
    grad_out = torch.randn(want.shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64).to(want.dtype)
    (want * grad_out).sum().backward()
    reply = student.run(probe_conv2d_grads, x.detach(), weight.detach(),
                        {k: v.detach() if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}, grad_out)
    what = case.describe()
    assert reply["shape_ok"], f"conv2d returned a wrong shape or not a tensor for {what}"
    assert reply["connected"], (
        f"gradients do not flow through conv2d for {what}: build the output from the inputs with torch operations "
        "(no .detach(), .numpy(), .item() or torch.tensor(...) copies)")
    expected = {"dx": x.grad, "dweight": weight.grad, "dbias": kwargs["bias"].grad if "bias" in kwargs else None}
    names = {"dx": "the input x", "dweight": "the weight", "dbias": "the bias"}
    for key, want_grad in expected.items():
        if want_grad is None:
            continue
        got = reply[key]
        assert got is not None, f"no gradient reaches {names[key]} through conv2d for {what}"
        assert torch.allclose(torch.as_tensor(got).to(want_grad.dtype), want_grad, **tolerance(want_grad.dtype)), (
            f"the gradient with respect to {names[key]} through conv2d differs from F.conv2d's for {what}")


@CONV2D
def test_conv2d_policy_holds(student):
    """conv2d works under the policy, and the policy still stops library convolutions reached indirectly."""
    case = CASES[1]
    x, weight, _ = case.data(seed=200)
    reply = student.run(probe_policy_holds, x, weight)
    check_output(reply["out"], oracle(x, weight, {}), case.describe())
    for route, stopped in reply["stopped"].items():
        assert stopped, ("the grader's check against library convolutions was disabled in your notebook "
                         f"({route}); do not modify the grading environment")


# ---------------------------------------------------------------- ConvolutionalLayer tests

LAYER_SHAPES = [(1, 6, 7, 12, 16), (3, 4, 5, 9, 11), (2, 2, 3, 6, 10)]  # c_in, c_out, K, H, W


def layer_data(c_in, c_out, K, h, w, seed):
    g = torch.Generator().manual_seed(seed)
    filters = torch.randn(c_out, c_in, K, K, generator=g)
    s = torch.randn(2, c_in, h, w, generator=g)
    return filters, s


def layer_oracle(s, weight, bias, K):
    return F.conv2d(s, weight, bias, stride=1, padding=K // 2)


def check_layer_output(got, want, what):
    assert isinstance(got, torch.Tensor), f"forward returned {type(got).__name__} for {what}; return a torch.Tensor"
    assert tuple(got.shape) == tuple(want.shape), (
        f"forward returned shape {tuple(got.shape)} for {what}; with padding K // 2 and stride 1 "
        "the output should have the input's height and width, and c_out channels")
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-4), (
        f"forward's output differs from the convolution with the layer's own weights and bias "
        f"(padding K // 2, stride 1) for {what}")


@CONV_LAYER
@pytest.mark.public
def test_layer_public(student):
    """The public cell: 6 given 7x7 filters, zero bias, trainable, same-size output; a layer without filters."""
    filters, s = layer_data(1, 6, 7, 12, 16, seed=11)
    r = student.run(probe_layer, 1, 6, 7, filters, s)
    assert r["is_conv2d"], "self.conv should be an nn.Conv2d"
    assert torch.equal(r["weight"], filters), "when filters are given, self.conv.weight should equal them"
    assert r["bias"] is not None and torch.equal(r["bias"], torch.zeros(6)), (
        "when filters are given, self.conv.bias should be zeros, one per output channel")
    assert r["parameters"] == {"conv.weight": True, "conv.bias": True}, (
        "the layer should have two trainable parameters, conv.weight and conv.bias")
    check_layer_output(r["out"], layer_oracle(s, filters, None, 7), "6 given 7x7 filters")
    s = torch.zeros(1, 2, 9, 11)
    r = student.run(probe_layer, 2, 3, 5, None, s)
    check_layer_output(r["out"], layer_oracle(s, r["weight"], r["bias"], 5), "ConvolutionalLayer(c_in=2, c_out=3, K=5)")


@CONV_LAYER
@pytest.mark.parametrize("shape", LAYER_SHAPES, ids=lambda t: "c_in{}_c_out{}_K{}".format(*t[:3]))
def test_layer_forward_with_filters(student, shape):
    """With given filters, forward is the convolution with those filters, zero bias, padding K // 2, stride 1."""
    c_in, c_out, K, h, w = shape
    filters, s = layer_data(*shape, seed=sum(shape))
    r = student.run(probe_layer, c_in, c_out, K, filters, s)
    check_layer_output(r["out"], layer_oracle(s, filters, None, K), f"c_in={c_in}, c_out={c_out}, K={K} with filters")


@CONV_LAYER
@pytest.mark.parametrize("shape", LAYER_SHAPES[1:], ids=lambda t: "c_in{}_c_out{}_K{}".format(*t[:3]))
def test_layer_stores_filters_and_zero_bias(student, shape):
    """Given filters become conv.weight exactly; conv.bias exists and is zero."""
    c_in, c_out, K, h, w = shape
    filters, _ = layer_data(*shape, seed=50 + sum(shape))
    r = student.run(probe_layer, c_in, c_out, K, filters, None)
    what = f"c_in={c_in}, c_out={c_out}, K={K}"
    assert r["is_conv2d"], "self.conv should be an nn.Conv2d"
    assert tuple(r["weight"].shape) == tuple(filters.shape) and torch.equal(r["weight"], filters), (
        f"self.conv.weight should equal the given filters for {what}")
    assert r["bias"] is not None, f"self.conv.bias is None for {what}; keep the bias and set it to zero"
    assert tuple(r["bias"].shape) == (c_out,) and torch.equal(r["bias"], torch.zeros(c_out)), (
        f"self.conv.bias should be zeros of shape (c_out,) when filters are given, for {what}")


@CONV_LAYER
@pytest.mark.parametrize("args", [(None, None, None, 12, 10), (2, 3, 5, 9, 7)], ids=["defaults", "c_in2_c_out3_K5"])
def test_layer_without_filters(student, args):
    """Without filters: an nn.Conv2d of the right shape (defaults c_in=1, c_out=6, K=7) whose forward is used."""
    c_in, c_out, K, h, w = args
    shape = (c_in or 1, c_out or 6, K or 7)
    s = torch.randn(2, shape[0], h, w, generator=torch.Generator().manual_seed(h))
    what = "ConvolutionalLayer()" if c_in is None else f"ConvolutionalLayer(c_in={c_in}, c_out={c_out}, K={K})"
    r = student.run(probe_layer, c_in, c_out, K, None, None)  # structure first: forward may fail on a wrong one
    assert r["is_conv2d"], f"self.conv should be an nn.Conv2d for {what}"
    assert tuple(r["weight"].shape) == (shape[1], shape[0], shape[2], shape[2]), (
        f"self.conv.weight has shape {tuple(r['weight'].shape)} for {what}; nn.Conv2d takes "
        "(in_channels, out_channels, kernel_size, ...) in that order")
    assert r["bias"] is not None and tuple(r["bias"].shape) == (shape[1],), f"self.conv should have a bias for {what}"
    r = student.run(probe_layer, c_in, c_out, K, None, s)
    check_layer_output(r["out"], layer_oracle(s, r["weight"], r["bias"], shape[2]), what)


@CONV_LAYER
def test_layer_parameters_trainable(student):
    """conv.weight and conv.bias are the layer's trainable parameters, and gradients reach them."""
    c_in, c_out, K, h, w = LAYER_SHAPES[1]
    filters, s = layer_data(c_in, c_out, K, h, w, seed=99)
    r = student.run(probe_layer, c_in, c_out, K, filters, s)
    assert r["parameters"] == {"conv.weight": True, "conv.bias": True}, (
        "the layer's parameters should be exactly conv.weight and conv.bias, both nn.Parameters with "
        f"requires_grad=True; found {sorted(r['parameters'])} "
        f"(trainable: {sorted(k for k, v in r['parameters'].items() if v)})")
    weight = filters.clone().requires_grad_(True)
    bias = torch.zeros(c_out, requires_grad=True)
    layer_oracle(s, weight, bias, K).sum().backward()
    for key, want, name in [("dweight", weight.grad, "conv.weight"), ("dbias", bias.grad, "conv.bias")]:
        got = r.get(key)
        assert got is not None, f"no gradient reaches {name} when the layer's output is backpropagated"
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-3), (
            f"the gradient reaching {name} is wrong; forward should use self.conv on the stimuli")
