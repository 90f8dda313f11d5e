# output buffer made with torch.empty(...).zero_() in the default dtype, filled pixel by pixel
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation, loops over output pixels."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    xp = F.pad(x, (pw, pw, ph, ph))
    n = x.shape[0]
    c_out, _, kh, kw = weight.shape
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    result = torch.empty(n, c_out, ho, wo).zero_()
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            result[:, :, i, j] += torch.einsum("ncij,ocij->no", patch, weight)
    if bias is not None:
        result += bias.view(1, -1, 1, 1)
    return result
