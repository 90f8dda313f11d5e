# kernel size read once from the last dimension and used for both directions, with unfold
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation for a K x K kernel."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    K = weight.size(-1)
    kernel = torch.stack([torch.stack([weight[:, :, i, j] for j in range(K)], -1) for i in range(K)], -2)
    win = F.pad(x, (pw, pw, ph, ph)).unfold(2, K, sh).unfold(3, K, sw)
    out = torch.einsum("nchwij,ocij->nohw", win, kernel)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out
