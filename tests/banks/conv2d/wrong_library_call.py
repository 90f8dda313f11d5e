# wrong: calls the library convolution (F.conv2d) instead of computing it
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Just PyTorch's conv2d."""
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)
