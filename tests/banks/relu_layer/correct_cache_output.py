# correct: caches the output; out > 0 exactly where x > 0
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = x.clamp(min=0)
    return out, out


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    out = cache
    return dout * (out > 0).to(dout.dtype)
