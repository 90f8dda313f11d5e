# gradient passed where x >= 0, written with torch.where and a saved copy of the input
def relu_forward(x):
    """out = max(x, 0); the cache is the input."""
    return torch.where(x > 0, x, torch.zeros_like(x)), x.clone()


def relu_backward(dout, cache):
    """Gradient of the ReLU."""
    return torch.where(cache >= 0, dout, torch.zeros_like(dout))
