# wrong: torch.max(x, 0) is a reduction over dim 0, not an elementwise max with 0
# misconception max-reduction-instead-of-elementwise: torch.max(x, 0) takes the maximum over dimension 0 (a reduction) instead of the elementwise maximum of x and 0
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise."""
    out = torch.max(x, 0).values
    return out, x


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0."""
    x = cache
    return dout * (x > 0)
