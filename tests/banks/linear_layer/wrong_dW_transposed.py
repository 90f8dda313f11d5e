# wrong: dW transposed (x.T @ dout has shape (D_in, D_out))
# misconception weight-gradient-transposed: the weight gradient is transposed: dW must have the weight's shape (out_features, in_features), that is dout.T @ x
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = cache
    return dout @ W, x.T @ dout, dout.sum(dim=0)
