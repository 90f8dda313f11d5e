# wrong: sums the squared errors instead of averaging (loss and gradient)
# misconception sum-instead-of-mean: the squared errors are summed instead of averaged; the loss and its gradient both divide by the number of elements
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).sum(), 2 * diff
