# nn.functional.relu applied to the responses before the first layer
class DeepNetReLU(nn.Module):
    """A network with one hidden layer and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        r = nn.functional.relu(r)
        h = self.in_layer(r)
        return self.out_layer(h)
