# wrong: db averaged over the batch instead of summed
# misconception bias-gradient-averaged: the bias gradient is averaged over the batch instead of summed; every sample adds its dout to db
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W, dout.T @ x, dout.mean(dim=0)
