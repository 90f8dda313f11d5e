# wrong: assumes a square kernel (uses the kernel width for both directions)
# misconception square-kernel-assumed: the kernel is assumed to be square (one size used for both directions), which breaks kernels whose height and width differ
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """K = weight.shape[-1] for height and width."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out = weight.shape[0]
    k = weight.shape[-1]
    h_out = (h + 2 * ph - k) // sh + 1
    w_out = (w + 2 * pw - k) // sw + 1
    x_pad = F.pad(x, (pw, pw, ph, ph))
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(k):
        for j in range(k):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
