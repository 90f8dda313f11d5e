"""Plain-data wire format between the trusted grader and a sandboxed child: JSON plus raw buffers, never pickle.

A message is one frame: an 8-byte header (JSON length, buffer count), the JSON
document, then each buffer as (8-byte length, bytes).  Only None, bool, int,
float, str, list, tuple, dict, numpy arrays/scalars of numeric or bool dtype and
torch tensors of those dtypes are encoded; anything else raises WireError, in
both directions, so no object with behaviour ever crosses.
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

MAX_FRAME_BYTES = 512 * 1024 * 1024
_HEAD = struct.Struct("<QQ")
_LEN = struct.Struct("<Q")
_NUMERIC_KINDS = set("biufc")
_TAG = "__wire__"


class WireError(ValueError):
    """A value cannot cross the sandbox boundary (not plain data, or a malformed frame)."""


def _torch():
    import torch

    return torch


def _encode(value, buffers: list[bytes], depth: int = 0):
    if depth > 64:
        raise WireError("value nested deeper than 64 levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if type(value) is int else int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return float(value)
        return {_TAG: "float", "v": repr(float(value))}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, buffers, depth + 1) for v in value]
        return items if type(value) is list else {_TAG: "tuple", "items": items}
    if isinstance(value, dict):
        return {_TAG: "dict", "items": [[_encode(k, buffers, depth + 1), _encode(v, buffers, depth + 1)]
                                         for k, v in value.items()]}
    if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
        return {_TAG: "npscalar", "array": _encode(np.asarray(value), buffers, depth + 1)}
    if isinstance(value, np.ndarray):
        return _encode_array(value, buffers, kind="ndarray")
    torch = _torch()
    if isinstance(value, torch.Tensor):
        array = value.detach().to("cpu").resolve_conj().resolve_neg()
        if array.dtype == torch.bfloat16 or array.dtype == torch.float16:
            array = array.float()
        return _encode_array(array.contiguous().numpy(), buffers, kind="tensor",
                             requires_grad=bool(value.requires_grad))
    raise WireError(f"cannot send a value of type {type(value).__name__}; only plain data "
                    "(numbers, strings, lists, dicts, arrays, tensors) crosses the sandbox")


def _encode_array(array: np.ndarray, buffers: list[bytes], kind: str, **extra):
    if array.dtype.kind not in _NUMERIC_KINDS or array.dtype.hasobject:
        raise WireError(f"cannot send an array of dtype {array.dtype}")
    array = np.asarray(array, order="C")  # keeps 0-d arrays 0-d, unlike ascontiguousarray
    buffers.append(array.tobytes())
    return {_TAG: kind, "dtype": array.dtype.str, "shape": list(array.shape),
            "buf": len(buffers) - 1, **extra}


def _decode(node, buffers: list[bytes]):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, buffers) for v in node]
    if not isinstance(node, dict) or _TAG not in node:
        raise WireError("malformed frame: unknown node")
    tag = node[_TAG]
    if tag == "float":
        return float(node["v"])
    if tag == "tuple":
        return tuple(_decode(v, buffers) for v in node["items"])
    if tag == "dict":
        out = {}
        for k, v in node["items"]:
            key = _decode(k, buffers)
            try:
                out[key] = _decode(v, buffers)
            except TypeError as exc:
                raise WireError(f"unhashable dict key: {exc}") from None
        return out
    if tag == "npscalar":
        return _decode(node["array"], buffers)[()]
    if tag in ("ndarray", "tensor"):
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject:
            raise WireError(f"refusing array of dtype {dtype}")
        shape = tuple(int(s) for s in node["shape"])
        raw = buffers[int(node["buf"])]
        if len(raw) != dtype.itemsize * math.prod(shape):
            raise WireError("malformed frame: array buffer has the wrong size")
        array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if tag == "ndarray":
            return array
        tensor = _torch().from_numpy(array)
        return tensor.requires_grad_(True) if node.get("requires_grad") and tensor.is_floating_point() else tensor
    raise WireError(f"malformed frame: unknown tag {tag!r}")


def dumps(value) -> bytes:
    """Encode plain data as one frame (bytes)."""
    buffers: list[bytes] = []
    doc = json.dumps(_encode(value, buffers), allow_nan=False).encode()
    parts = [_HEAD.pack(len(doc), len(buffers)), doc]
    for buf in buffers:
        parts += [_LEN.pack(len(buf)), buf]
    return b"".join(parts)


def loads(frame: bytes):
    """Decode one frame produced by dumps()."""
    view = memoryview(frame)
    if len(view) < _HEAD.size:
        raise WireError("malformed frame: too short")
    doc_len, n_buf = _HEAD.unpack_from(view, 0)
    pos = _HEAD.size + doc_len
    if pos > len(view) or n_buf > 100_000:
        raise WireError("malformed frame: bad header")
    try:
        doc = json.loads(bytes(view[_HEAD.size:pos]))
    except ValueError as exc:
        raise WireError(f"malformed frame: {exc}") from None
    buffers = []
    for _ in range(n_buf):
        if pos + _LEN.size > len(view):
            raise WireError("malformed frame: truncated buffer header")
        (size,) = _LEN.unpack_from(view, pos)
        pos += _LEN.size
        if pos + size > len(view):
            raise WireError("malformed frame: truncated buffer")
        buffers.append(bytes(view[pos:pos + size]))
        pos += size
    if pos != len(view):
        raise WireError("malformed frame: trailing bytes")
    return _decode(doc, buffers)


def roundtrip(value):
    """What the other side of the boundary would receive."""
    return loads(dumps(value))


def send(fd_file, value) -> None:
    """Write one length-prefixed frame to a binary file object."""
    frame = dumps(value)
    fd_file.write(_LEN.pack(len(frame)) + frame)
    fd_file.flush()


def recv(fd_file):
    """Read one length-prefixed frame; EOFError when the peer has gone."""
    head = _read_exact(fd_file, _LEN.size)
    (size,) = _LEN.unpack(head)
    if size > MAX_FRAME_BYTES:
        raise WireError(f"frame of {size} bytes exceeds the {MAX_FRAME_BYTES} byte limit")
    return loads(_read_exact(fd_file, size))


def _read_exact(fd_file, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = fd_file.read(n - got)
        if not chunk:
            raise EOFError("peer closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
