# wrong: reaches the library convolution through importlib and getattr to hide it
# misconception library-convolution: conv2d calls a library convolution (F.conv2d, torch.ops.aten, scipy, an FFT) instead of computing the sliding-window sums itself, which this exercise asks you to write
import importlib

_functional = importlib.import_module("torch.nn" + ".functional")
_conv = getattr(_functional, "conv" + "2d")


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """PyTorch's conv2d under another name."""
    return _conv(x, weight, bias, stride=stride, padding=padding)
