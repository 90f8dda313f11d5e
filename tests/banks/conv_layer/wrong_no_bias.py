# wrong: nn.Conv2d built with bias=False instead of a zero bias
# misconception bias-removed: the layer is built with bias=False; it should keep its bias and set it to zero
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1, bias=False)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters)

    def forward(self, s):
        return self.conv(s)
