# wrong: the ReLU mask is taken from the output gradient (dout > 0) instead of the input
# misconception relu-mask-from-gradient: the ReLU mask is taken from the incoming gradient (dout > 0) instead of from the forward input (x > 0)
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = torch.clamp(x, min=0)
    return out, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    return dout * (dout > 0)
