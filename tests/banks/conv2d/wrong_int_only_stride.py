# wrong: stride and padding handled as ints only (a pair raises TypeError)
# misconception pair-arguments-unsupported: stride and padding are handled as single ints only, so a (height, width) pair such as (2, 1) fails; accept both forms
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Works for stride=2, padding=1, but not for stride=(2, 1) or padding=(1, 2)."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    x_pad = F.pad(x, (padding, padding, padding, padding))
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + stride * (h_out - 1) + 1:stride, j:j + stride * (w_out - 1) + 1:stride]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
