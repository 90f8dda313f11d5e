# a mistake no bank entry makes: a leaky ReLU (slope 0.01 for negative inputs) forwards and backwards
def relu_forward(x):
    """Leaky ReLU."""
    return torch.where(x > 0, x, 0.01 * x), x


def relu_backward(dout, cache):
    """Leaky ReLU gradient."""
    return torch.where(cache > 0, dout, 0.01 * dout)
