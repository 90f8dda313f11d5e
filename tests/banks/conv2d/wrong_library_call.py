# wrong: calls the library convolution (F.conv2d) instead of computing it
# misconception library-convolution: conv2d calls a library convolution (F.conv2d, torch.ops.aten, scipy, an FFT) instead of computing the sliding-window sums itself, which this exercise asks you to write
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Just PyTorch's conv2d."""
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)
