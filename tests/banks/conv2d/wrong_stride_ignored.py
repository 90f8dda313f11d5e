# wrong: stride argument ignored (the kernel always moves one pixel)
# misconception stride-ignored: the stride argument is ignored, so the kernel always moves one pixel at a time
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Always stride 1."""
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = h + 2 * ph - kh + 1
    w_out = w + 2 * pw - kw + 1
    x_pad = F.pad(x, (pw, pw, ph, ph))
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            out = out + torch.einsum("nchw,oc->nohw", x_pad[:, :, i:i + h_out, j:j + w_out], weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
