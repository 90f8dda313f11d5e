# wrong: nn.Conv2d built without padding, so the output shrinks by K - 1
# misconception same-padding-missing: nn.Conv2d is built without padding K // 2, so the output shrinks by K - 1 instead of keeping the input's height and width
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters)
            self.conv.bias = nn.Parameter(torch.zeros(c_out))

    def forward(self, s):
        return self.conv(s)
