# correct: torch.nn.functional.relu, hidden layer in a local variable
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        import torch.nn.functional as F
        hidden = F.relu(self.in_layer(r))
        return self.out_layer(hidden)
