# wrong: bias argument ignored
# misconception bias-not-added: the bias is never added to the output, so every output value misses its bias term
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Never adds the bias."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = F.pad(x, (pw, pw, ph, ph))
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    return out
