# correct: im2col with F.unfold, then one matrix product with the flattened kernels
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """F.unfold gathers every receptive field as a column; the convolution is then a matmul."""
    stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
    padding = (padding, padding) if isinstance(padding, int) else tuple(padding)
    n, _, h, w = x.shape
    c_out, c_in, kh, kw = weight.shape
    h_out = (h + 2 * padding[0] - kh) // stride[0] + 1
    w_out = (w + 2 * padding[1] - kw) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # (N, C_in*KH*KW, H_out*W_out)
    out = torch.einsum("ok,nkl->nol", weight.reshape(c_out, c_in * kh * kw), cols)
    out = out.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out
