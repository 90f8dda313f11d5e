# correct: sliding windows with Tensor.unfold on the padded input, contracted with einsum
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Windows of shape (KH, KW) at every output position, then one einsum."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = weight.shape[2:]
    windows = F.pad(x, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)  # (N, C_in, H_out, W_out, KH, KW)
    out = torch.einsum("nchwij,ocij->nohw", windows, weight)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out
