# correct: computed in numpy, returned as numpy arrays
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    p, t = pred.numpy(), target.numpy()
    diff = p - t
    return np.mean(diff ** 2), 2 * diff / diff.size
