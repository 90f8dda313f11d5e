# correct: explicit sums over the batch, one sample at a time
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = torch.stack([W @ x[n] + b for n in range(x.shape[0])])
    return out, (x, W)


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W = cache
    dx = torch.stack([W.T @ dout[n] for n in range(dout.shape[0])])
    dW = sum(torch.outer(dout[n], x[n]) for n in range(dout.shape[0]))
    db = sum(dout[n] for n in range(dout.shape[0]))
    return dx, dW, db
