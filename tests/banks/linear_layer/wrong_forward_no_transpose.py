# wrong: forward uses x @ W instead of x @ W.T
# misconception weight-not-transposed: the forward pass computes x @ W instead of x @ W.T; W has shape (out_features, in_features)
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W + b
    return out, (x, W, b)


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(dim=0)
