# wrong: output buffer created with torch.zeros (float32), so float64 inputs come back as float32
# misconception dtype-not-kept: the output is created with a fixed dtype (torch.zeros without dtype=x.dtype), so float64 inputs come back as float32; create it with x.new_zeros(...) or dtype=x.dtype
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """In-place accumulation into a float32 buffer."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = F.pad(x, (pw, pw, ph, ph))
    out = torch.zeros(n, c_out, h_out, w_out)
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out += torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out += bias.reshape(1, c_out, 1, 1)
    return out
