# wrong: calls the ATen convolution operator directly through getattr
# misconception library-convolution: conv2d calls a library convolution (F.conv2d, torch.ops.aten, scipy, an FFT) instead of computing the sliding-window sums itself, which this exercise asks you to write
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """torch.ops.aten.convolution, found by name."""
    stride = [stride, stride] if isinstance(stride, int) else list(stride)
    padding = [padding, padding] if isinstance(padding, int) else list(padding)
    op = getattr(getattr(torch.ops, "aten"), "convolution")
    return op(x, weight, bias, stride, padding, [1, 1], False, [0, 0], 1)
