# nn.Conv2d without padding; filters copied in under no_grad
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels=c_in, out_channels=c_out, kernel_size=(K, K))
        if filters is not None:
            with torch.no_grad():
                self.conv.weight.copy_(filters)
                self.conv.bias.zero_()

    def forward(self, s):
        return self.conv(s)
