# wrong: averages over the batch only, so the loss is a vector with one entry per column
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(dim=0), 2 * diff / diff.shape[0]
