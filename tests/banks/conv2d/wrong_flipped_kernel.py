# wrong: textbook convolution (kernel flipped) instead of PyTorch's cross-correlation
# misconception flipped-kernel: the kernel is flipped, which computes a convolution instead of the cross-correlation conv2d asks for
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Flips the kernel before sliding it, as in the mathematical definition of convolution."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    weight = torch.flip(weight, dims=(2, 3))
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
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
