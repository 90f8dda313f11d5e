# a mistake no bank entry makes: dout times the raw input x (negative inputs flip the gradient's sign)
def relu_forward(x):
    """ReLU forward pass."""
    return x.clamp(min=0), {"x": x}


def relu_backward(dout, cache):
    """ReLU backward pass."""
    return torch.mul(dout, cache["x"])
