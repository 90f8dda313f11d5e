# wrong: db sums over the output axis (dim 1) instead of the batch
# misconception bias-gradient-wrong-axis: the bias gradient sums over the output units instead of over the batch (dimension 0)
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W, dout.T @ x, dout.sum(dim=1)
