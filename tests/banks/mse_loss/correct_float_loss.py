# correct: the loss as a Python float, M computed from the shape
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    n, k = pred.shape
    diff = pred - target
    loss = float((diff * diff).sum()) / (n * k)
    return loss, diff * (2.0 / (n * k))
