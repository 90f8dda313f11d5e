# wrong: gradient 1 at exactly x = 0 (mask x >= 0)
# misconception relu-gradient-at-zero: the gradient at exactly x = 0 is taken as 1 (mask x >= 0); with x > 0 it is 0 there, as PyTorch's ReLU has it
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = torch.clamp(x, min=0)
    return out, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    x = cache
    return dout * (x >= 0)
