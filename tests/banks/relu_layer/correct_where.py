# correct: torch.where in forward and backward
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    return torch.where(x > 0, x, torch.zeros_like(x)), x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    return torch.where(cache > 0, dout, torch.zeros_like(dout))
