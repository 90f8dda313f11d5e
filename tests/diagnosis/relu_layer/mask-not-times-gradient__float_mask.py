# the local derivative returned alone, as a float mask built with gt and type_as
def relu_forward(x):
    """ReLU with torch.relu."""
    return torch.relu(x), x


def relu_backward(dout, cache):
    """Derivative of the ReLU."""
    local = cache.gt(0).type_as(dout)
    return local
