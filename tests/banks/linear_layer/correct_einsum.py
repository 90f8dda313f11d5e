# correct: einsum for the forward and the backward
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = torch.einsum("ni,ji->nj", x, W) + b
    return out, (x, W, b)


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    dx = torch.einsum("nj,ji->ni", dout, W)
    dW = torch.einsum("nj,ni->ji", dout, x)
    db = torch.einsum("nj->j", dout)
    return dx, dW, db
