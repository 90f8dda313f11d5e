# padding never applied: windows of the raw input, gathered in a list comprehension
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation without zero padding."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    kh, kw = weight.shape[-2:]
    h, w = x.shape[-2:]
    out = torch.stack([
        torch.stack([torch.tensordot(x[:, :, i:i + kh, j:j + kw], weight, dims=([1, 2, 3], [1, 2, 3]))
                     for j in range(0, w - kw + 1, sw)], dim=-1)
        for i in range(0, h - kh + 1, sh)], dim=-2)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out
