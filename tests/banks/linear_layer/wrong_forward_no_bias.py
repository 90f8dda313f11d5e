# wrong: forward forgets the bias
# misconception bias-not-added: the bias is never added to the output, so every output value misses its bias term
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T
    return out, (x, W, b)


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W, dout.T @ x, dout.sum(dim=0)
