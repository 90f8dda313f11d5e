# the filters argument is accepted and never looked at
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, K, padding=K // 2)

    def forward(self, s):
        out = self.conv(s)
        return out
