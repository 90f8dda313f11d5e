# wrong: gradient with the sign flipped, 2 * (target - pred) / M
# misconception gradient-sign-flipped: the gradient has the wrong sign: the derivative of (pred - target)**2 with respect to pred is 2 * (pred - target)
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(), 2 * (target - pred) / diff.numel()
