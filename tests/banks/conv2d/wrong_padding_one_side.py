# wrong: the input is copied into the top-left corner of the padded array, so all padding ends up bottom/right
# misconception padding-one-side: all the padding ends up on one side (bottom and right) instead of `padding` zeros on every side of the input
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Right output size, but the zeros are all on one side of the image."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = x.new_zeros((n, c_in, h + 2 * ph, w + 2 * pw))
    x_pad[:, :, :h, :w] = x
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
