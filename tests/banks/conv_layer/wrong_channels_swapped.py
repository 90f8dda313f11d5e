# wrong: nn.Conv2d(c_out, c_in, ...) with the channel counts swapped (hidden when filters replace the weights)
# misconception conv-channels-swapped: nn.Conv2d gets the channel counts in the wrong order; it takes (in_channels, out_channels, kernel_size)
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_out, c_in, kernel_size=K, padding=K // 2, stride=1)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters)
            self.conv.bias = nn.Parameter(torch.zeros(c_out))

    def forward(self, s):
        return self.conv(s)
