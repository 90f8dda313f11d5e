# wrong: averages over the batch only, so the loss is a vector with one entry per column
# misconception loss-not-scalar: the loss is averaged over the batch only, so it is a vector; the mean runs over every element and gives one number
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(dim=0), 2 * diff / diff.shape[0]
