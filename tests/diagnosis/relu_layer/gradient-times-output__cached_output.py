# dout times the forward's output, which the forward caches instead of the input
def relu_forward(x):
    """ReLU forward pass; the output is kept for the backward pass."""
    out = torch.maximum(x, torch.zeros_like(x))
    return out, out


def relu_backward(dout, cache):
    """ReLU backward pass."""
    return torch.mul(dout, cache)
