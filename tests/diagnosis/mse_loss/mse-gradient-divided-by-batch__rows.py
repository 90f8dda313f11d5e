# the gradient divided by the number of rows (samples), loss from nn.functional.mse_loss
def mse_loss(pred, target):
    """Mean squared error and its gradient."""
    batch = pred.shape[0]
    return nn.functional.mse_loss(pred, target), 2 * (pred - target) / batch
