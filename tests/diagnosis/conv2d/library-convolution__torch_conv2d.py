# the library convolution under another name: torch.conv2d
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2D cross-correlation (delegates to PyTorch)."""
    return torch.conv2d(x, weight, bias, stride, padding)
