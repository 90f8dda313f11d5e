# correct: the loss from torch.nn.functional.mse_loss, the gradient by the formula
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    loss = torch.nn.functional.mse_loss(pred, target)
    dpred = 2.0 / pred.numel() * (pred - target)
    return loss, dpred
