# wrong: gradient with the sign flipped, 2 * (target - pred) / M
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(), 2 * (target - pred) / diff.numel()
