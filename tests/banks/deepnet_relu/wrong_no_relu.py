# wrong: forgets the nonlinearity (two linear layers collapse into one)
# misconception relu-missing: the ReLU between the two layers is missing, so the network is linear (two linear layers collapse into one)
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        return self.out_layer(self.in_layer(r))
