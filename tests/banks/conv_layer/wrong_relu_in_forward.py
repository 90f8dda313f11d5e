# wrong: forward rectifies the activations (the layer should return the raw convolution)
# misconception relu-on-output: a ReLU is applied to the output as well, so negative outputs are clipped to zero; the output should be left as it is
class ConvolutionalLayer(nn.Module):
    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters)
            self.conv.bias = nn.Parameter(torch.zeros(c_out))

    def forward(self, s):
        return torch.relu(self.conv(s))
