# wrong: given filters replace the weights, but nn.Conv2d's random bias is kept
# misconception bias-not-zeroed: when filters are given the weights are replaced but nn.Conv2d's random bias is kept; set the bias to zero as well
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters)

    def forward(self, s):
        return self.conv(s)
