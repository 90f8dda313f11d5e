# wrong: applies ReLU to the output as well, so negative outputs are clipped
# misconception relu-on-output: a ReLU is applied to the output as well, so negative outputs are clipped to zero; the output should be left as it is
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        h = torch.relu(self.in_layer(r))
        return torch.relu(self.out_layer(h))
