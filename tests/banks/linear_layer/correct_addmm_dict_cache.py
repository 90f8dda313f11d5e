# correct: torch.addmm / torch.mm with a dict cache holding only x and W
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = torch.addmm(b, x, W.t())
    return out, {"x": x, "W": W}


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    dx = torch.mm(dout, cache["W"])
    dW = torch.mm(dout.t(), cache["x"])
    db = torch.sum(dout, dim=0)
    return dx, dW, db
