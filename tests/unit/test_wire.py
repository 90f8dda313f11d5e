"""The plain-data channel: what crosses the sandbox boundary, and what is refused."""
import math
import pickle

import numpy as np
import pytest
import torch

from coursekit.isolation import wire


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 3.5, "text", [1, 2.0, "x"], (1, (2, 3)), {"a": 1, 2: [None]},
    {"nested": {"deep": [[1], [2, {"k": (1,)}]]}},
])
def test_plain_values_round_trip_unchanged(value):
    assert wire.roundtrip(value) == value
    assert type(wire.roundtrip(value)) is type(value)


def test_non_finite_floats_round_trip():
    out = wire.roundtrip([math.inf, -math.inf, math.nan])
    assert out[0] == math.inf and out[1] == -math.inf and math.isnan(out[2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_, np.complex64])
def test_numpy_arrays_keep_dtype_shape_and_values(dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    out = wire.roundtrip(a)
    assert isinstance(out, np.ndarray) and out.dtype == a.dtype and out.shape == a.shape
    np.testing.assert_array_equal(out, a)


def test_tensors_come_back_as_tensors_with_dtype_and_grad_flag():
    t = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
    out = wire.roundtrip(t)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.requires_grad
    assert torch.equal(out.detach(), t.detach())


def test_non_contiguous_and_zero_size_arrays_survive():
    a = np.arange(12.0).reshape(3, 4).T
    np.testing.assert_array_equal(wire.roundtrip(a), a)
    assert wire.roundtrip(np.zeros((0, 5))).shape == (0, 5)


def test_numpy_scalars_arrive_as_numpy_scalars():
    out = wire.roundtrip(np.float32(1.5))
    assert isinstance(out, np.float32) and out == 1.5


class Sneaky:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [Sneaky(), object(), lambda: 1, {1, 2}, np.array([Sneaky()], dtype=object),
                                   b"bytes", [1, Sneaky()], {"k": Sneaky()}])
def test_objects_with_behaviour_are_refused(value):
    with pytest.raises(wire.WireError):
        wire.dumps(value)


def test_a_pickle_is_not_accepted_as_a_frame():
    with pytest.raises(wire.WireError):
        wire.loads(pickle.dumps({"ok": 1}))


def test_truncated_and_padded_frames_are_refused():
    frame = wire.dumps({"a": np.arange(10)})
    with pytest.raises(wire.WireError):
        wire.loads(frame[:-3])
    with pytest.raises(wire.WireError):
        wire.loads(frame + b"\0")


def test_object_dtype_in_a_forged_frame_is_refused():
    frame = wire.dumps(np.arange(3)).replace(b'"<i8"', b'"|O8"')
    with pytest.raises(wire.WireError):
        wire.loads(frame)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(100):
        value = [value]
    with pytest.raises(wire.WireError):
        wire.dumps(value)
