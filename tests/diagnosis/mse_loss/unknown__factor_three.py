# a mistake no bank entry makes: a factor 3 in the gradient
def mse_loss(pred, target):
    """Mean squared error and its gradient."""
    d = pred - target
    return (d ** 2).mean(), 3 * d / d.numel()
