# wrong: padding argument ignored (no zeros added around the input)
# misconception padding-ignored: the padding argument is ignored, so no zeros are added around the input and the output is too small
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Slides the kernel over the unpadded input only."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h - kh) // sh + 1
    w_out = (w - kw) // sw + 1
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
