# wrong: returns the mask itself, forgetting to multiply by dout
# misconception mask-not-times-gradient: the 0/1 mask itself is returned, without multiplying it by the incoming gradient dout
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = torch.clamp(x, min=0)
    return out, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    x = cache
    return (x > 0).to(dout.dtype)
