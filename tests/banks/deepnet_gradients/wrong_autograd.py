# wrong: lets autograd compute the gradients (nn.MSELoss + backward)
# misconception autograd-instead-of-by-hand: the gradients come from PyTorch's autograd (backward(), torch.autograd.grad) instead of the chain rule written out by hand, which this exercise asks for
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss of a DeepNetReLU with respect to its parameters, by hand."""
    W1, b1 = net.in_layer.weight.detach(), net.in_layer.bias.detach()
    W2, b2 = net.out_layer.weight.detach(), net.out_layer.bias.detach()
    net.zero_grad()
    loss = nn.MSELoss()(net.out_layer(torch.relu(net.in_layer(r))), target)
    loss.backward()
    return {name: p.grad.clone() for name, p in net.named_parameters()}
