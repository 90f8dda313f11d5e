# wrong: the filters argument is never used
# misconception filters-ignored: the filters argument is never used, so the layer keeps nn.Conv2d's random weights
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)

    def forward(self, s):
        return self.conv(s)
