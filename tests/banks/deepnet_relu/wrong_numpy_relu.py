# wrong: applies the ReLU in numpy, which cuts the autograd graph to in_layer
# misconception detached-from-autograd: part of the computation leaves PyTorch (numpy, .detach(), .item() or a new torch.tensor), which cuts the autograd graph so gradients no longer flow back through it
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        h = self.in_layer(r).detach().numpy()
        h = torch.from_numpy(np.maximum(h, 0))
        return self.out_layer(h)
