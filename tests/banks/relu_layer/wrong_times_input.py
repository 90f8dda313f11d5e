# wrong: multiplies dout by the input instead of by the 0/1 mask
# misconception gradient-times-output: dout is multiplied by the ReLU's output max(x, 0) instead of by the 0/1 mask (x > 0)
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = torch.clamp(x, min=0)
    return out, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    x = cache
    return dout * torch.clamp(x, min=0)
