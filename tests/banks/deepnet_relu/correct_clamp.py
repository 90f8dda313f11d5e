# correct: the ReLU written as clamp(min=0) on the hidden pre-activations
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        h_pre = self.in_layer(r)
        h = h_pre.clamp(min=0)
        out = self.out_layer(h)
        return out
