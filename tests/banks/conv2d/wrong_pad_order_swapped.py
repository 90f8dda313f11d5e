# wrong: F.pad given (top, bottom, left, right) order, so height padding goes on the width and vice versa
# misconception padding-height-width-swapped: the height and width padding are swapped: F.pad lists the last dimension first, (left, right, top, bottom)
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """F.pad pads the LAST dimension first; this pads W by PH and H by PW."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x_pad = F.pad(x, (ph, ph, pw, pw))
    h_out = (x_pad.shape[2] - kh) // sh + 1
    w_out = (x_pad.shape[3] - kw) // sw + 1
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
