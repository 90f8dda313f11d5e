# the loss reported as the RMSE via torch.sqrt of nn.functional.mse_loss; the gradient is the MSE's
def mse_loss(pred, target):
    """Root mean squared error and the gradient."""
    loss = nn.functional.mse_loss(pred, target).sqrt()
    return loss, 2 * (pred - target) / pred.numel()
