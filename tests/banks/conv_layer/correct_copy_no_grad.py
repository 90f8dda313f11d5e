# correct: copies the filters into the existing parameters under torch.no_grad() and zeroes the bias in place
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, K, stride=1, padding=K // 2)
        if filters is not None:
            with torch.no_grad():
                self.conv.weight.copy_(filters)
                self.conv.bias.zero_()

    def forward(self, s):
        a = self.conv(s)
        return a
