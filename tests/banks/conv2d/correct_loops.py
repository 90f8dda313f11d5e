# correct: explicit loops over output positions, each a sum over (C_in, KH, KW) with tensordot
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """One output pixel (for the whole batch and all output channels) per loop iteration."""
    if isinstance(stride, int):
        stride = (stride, stride)
    if isinstance(padding, int):
        padding = (padding, padding)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x_pad = F.pad(x, (padding[1], padding[1], padding[0], padding[0]))
    h_out = (h + 2 * padding[0] - kh) // stride[0] + 1
    w_out = (w + 2 * padding[1] - kw) // stride[1] + 1
    rows = []
    for y in range(h_out):
        row = []
        for xx in range(w_out):
            top, left = y * stride[0], xx * stride[1]
            window = x_pad[:, :, top:top + kh, left:left + kw]  # (N, C_in, KH, KW)
            row.append(torch.tensordot(window, weight, dims=([1, 2, 3], [1, 2, 3])))  # (N, C_out)
        rows.append(torch.stack(row, dim=-1))  # (N, C_out, W_out)
    out = torch.stack(rows, dim=-2)  # (N, C_out, H_out, W_out)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out
