# wrong: sums the squared errors instead of averaging (loss and gradient)
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).sum(), 2 * diff
