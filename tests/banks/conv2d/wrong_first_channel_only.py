# wrong: only the first input channel is used (no sum over input channels)
# misconception input-channels-not-summed: only the first input channel is used; each output channel should sum the kernel products over all input channels
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Treats every input as a single-channel image."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = F.pad(x[:, 0], (pw, pw, ph, ph))  # (N, H + 2PH, W + 2PW)
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + patch[:, None] * weight[None, :, 0, i, j, None, None]
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
