# wrong: uses autograd inside linear_backward
# misconception autograd-instead-of-by-hand: the gradients come from PyTorch's autograd (backward(), torch.autograd.grad) instead of the chain rule written out by hand, which this exercise asks for
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b."""
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache


def linear_backward(dout, cache):
    """Backward pass of a linear layer: (dx, dW, db)."""
    x, W, b = (t.detach().clone().requires_grad_(True) for t in cache)
    out = x @ W.T + b
    out.backward(dout)
    return x.grad, W.grad, b.grad
