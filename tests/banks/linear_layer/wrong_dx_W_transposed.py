# wrong: dx = dout @ W.T (the forward's transpose copied into the backward)
# misconception input-gradient-transposed: dx uses W.T, copied from the forward pass, instead of W: dx = dout @ W has the shape of x
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W.T, dout.T @ x, dout.sum(dim=0)
