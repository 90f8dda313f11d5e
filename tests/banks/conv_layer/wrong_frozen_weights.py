# wrong: given filters and zero bias are stored as frozen parameters (requires_grad=False)
# misconception weights-not-trainable: the given filters are stored with requires_grad=False, so the layer's parameters can no longer be trained
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters, requires_grad=False)
            self.conv.bias = nn.Parameter(torch.zeros(c_out), requires_grad=False)

    def forward(self, s):
        return self.conv(s)
