# wrong: applies ReLU to the input responses instead of the hidden layer
# misconception relu-on-input: the ReLU is applied to the input responses instead of to the hidden layer's output
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        return self.out_layer(self.in_layer(torch.relu(r)))
