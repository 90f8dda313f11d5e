# wrong: zeroes the negative inputs in place, changing the caller's x
# misconception input-modified-in-place: the function changes its input in place, so the caller's data is modified; work on a copy
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    x[x < 0] = 0
    return x, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    x = cache
    return dout * (x > 0)
