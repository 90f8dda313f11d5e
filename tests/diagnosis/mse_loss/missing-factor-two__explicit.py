# derivative written without the 2, loss and gradient from one count of elements
def mse_loss(pred, target):
    """Mean squared error and its gradient."""
    m = pred.numel()
    error = pred - target
    loss = torch.sum(error * error) / m
    dpred = error / m
    return loss, dpred
