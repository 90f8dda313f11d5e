# correct: torch.maximum forward, caching the boolean mask
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    mask = x > 0
    return torch.maximum(x, torch.zeros_like(x)), mask


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    dx = dout.clone()
    dx[~cache] = 0
    return dx
