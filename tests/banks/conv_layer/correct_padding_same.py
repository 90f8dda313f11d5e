# correct: padding="same" (equal to K // 2 for odd K) and weights set through .data
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels=c_in, out_channels=c_out, kernel_size=K, padding="same")
        if filters is not None:
            self.conv.weight.data = filters.clone()
            self.conv.bias.data = torch.zeros_like(self.conv.bias)

    def forward(self, s):
        return self.conv.forward(s)
