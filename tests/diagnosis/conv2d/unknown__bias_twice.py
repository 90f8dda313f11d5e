# a mistake no bank entry makes: the bias is added twice
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation with the bias counted twice."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    win = F.pad(x, (pw, pw, ph, ph)).unfold(2, weight.shape[2], sh).unfold(3, weight.shape[3], sw)
    out = torch.einsum("nchwij,ocij->nohw", win, weight)
    if bias is not None:
        out = out + 2 * bias.view(1, -1, 1, 1)
    return out
