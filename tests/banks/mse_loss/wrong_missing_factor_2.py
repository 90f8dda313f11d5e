# wrong: forgets the factor 2 in the gradient
# misconception missing-factor-two: the factor 2 from differentiating the square is missing from the gradient
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient."""
    diff = pred - target
    return (diff ** 2).mean(), diff / diff.numel()
