# wrong: uses a sigmoid instead of a ReLU
# misconception sigmoid-instead-of-relu: a sigmoid is used as the nonlinearity instead of a ReLU
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        return self.out_layer(torch.sigmoid(self.in_layer(r)))
