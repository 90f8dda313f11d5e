# flipped kernel, written pixel by pixel with explicit loops and a kernel flipped by index arithmetic
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D convolution (textbook style: the kernel is mirrored before it slides)."""
    stride_h, stride_w = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    pad_h, pad_w = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    batch, channels, height, width = x.shape
    filters, _, k_h, k_w = weight.shape
    padded = torch.zeros(batch, channels, height + 2 * pad_h, width + 2 * pad_w, dtype=x.dtype)
    padded[:, :, pad_h:pad_h + height, pad_w:pad_w + width] = x
    mirrored = weight[:, :, list(range(k_h - 1, -1, -1))][:, :, :, list(range(k_w - 1, -1, -1))]
    out_h = (height + 2 * pad_h - k_h) // stride_h + 1
    out_w = (width + 2 * pad_w - k_w) // stride_w + 1
    rows = []
    for r in range(out_h):
        cols = []
        for c in range(out_w):
            window = padded[:, :, r * stride_h:r * stride_h + k_h, c * stride_w:c * stride_w + k_w]
            cols.append((window.unsqueeze(1) * mirrored.unsqueeze(0)).sum(dim=(2, 3, 4)))
        rows.append(torch.stack(cols, dim=-1))
    out = torch.stack(rows, dim=-2)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out
