# an nn.Sigmoid module stored on the network and used between the layers
class DeepNetReLU(nn.Module):
    """A network with one hidden layer and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)
        self.squash = nn.Sigmoid()

    def forward(self, r):
        hidden = self.squash(self.in_layer(r))
        return self.out_layer(hidden)
