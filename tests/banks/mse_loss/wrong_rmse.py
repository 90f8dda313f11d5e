# wrong: returns the root mean squared error as the loss
# misconception root-mean-squared: the square root of the mean squared error is returned; the loss is the mean squared error itself
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return torch.sqrt((diff ** 2).mean()), 2 * diff / diff.numel()
