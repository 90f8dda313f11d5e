# wrong: divides the gradient by the batch size N instead of the number of elements N*K
# misconception mse-gradient-divided-by-batch: the MSE gradient is divided by the batch size N instead of by the number of elements N*K that the mean runs over
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(), 2 * diff / pred.shape[0]
