# correct: accumulation over kernel offsets, padding by slice assignment and broadcasting instead of einsum
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """out += weight[:, :, i, j] * shifted strided input, summed over input channels."""
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    ph, pw = padding if isinstance(padding, tuple) else (padding, padding)
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    padded = torch.zeros(n, c_in, h + 2 * ph, w + 2 * pw, dtype=x.dtype)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    out = 0
    for i in range(kh):
        for j in range(kw):
            shifted = padded[:, :, i::sh, j::sw][:, :, :h_out, :w_out]  # (N, C_in, H_out, W_out)
            out = out + (shifted[:, None] * weight[None, :, :, i, j, None, None]).sum(dim=2)
    if bias is not None:
        out = out + bias[:, None, None]
    return out
