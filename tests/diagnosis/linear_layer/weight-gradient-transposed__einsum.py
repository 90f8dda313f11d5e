# dW computed with its indices in the input's order (in_features, out_features)
def linear_forward(x, W, b):
    """out = x W^T + b."""
    out = torch.matmul(x, W.t()) + b
    return out, (x, W)


def linear_backward(dout, cache):
    """(dx, dW, db)."""
    x, W = cache
    return torch.matmul(dout, W), torch.einsum("ni,no->io", x, dout), dout.sum(0)
