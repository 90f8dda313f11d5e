# wrong: computes in numpy, so the result is detached and no gradient flows
# misconception detached-from-autograd: part of the computation leaves PyTorch (numpy, .detach(), .item() or a new torch.tensor), which cuts the autograd graph so gradients no longer flow back through it
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Right values, but built from x.detach().numpy()."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    xn, wn = x.detach().numpy(), weight.detach().numpy()
    n, _, h, w = xn.shape
    c_out, _, kh, kw = wn.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = np.pad(xn, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, c_out, h_out, w_out), dtype=xn.dtype)
    for i in range(kh):
        for j in range(kw):
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, wn[:, :, i, j])
    if bias is not None:
        out += bias.detach().numpy().reshape(1, c_out, 1, 1)
    return torch.from_numpy(out)
