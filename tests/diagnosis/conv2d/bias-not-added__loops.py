# bias accepted but never used, in a loop-over-kernel-offsets style with named helpers
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation (forgets the bias)."""
    def pair(v):
        return (v, v) if isinstance(v, int) else (v[0], v[1])

    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    xp = F.pad(x, (pw, pw, ph, ph))
    c_out, c_in, kh, kw = weight.shape
    ho = (xp.shape[2] - kh) // sh + 1
    wo = (xp.shape[3] - kw) // sw + 1
    total = 0
    for a in range(kh):
        for b in range(kw):
            piece = xp[:, :, a:a + (ho - 1) * sh + 1:sh, b:b + (wo - 1) * sw + 1:sw]
            total = total + (piece[:, None] * weight[None, :, :, a, b, None, None]).sum(2)
    return total
