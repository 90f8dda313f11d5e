# torch.autograd.grad on the MSE loss instead of the chain rule
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss with respect to the parameters."""
    names = [name for name, _ in net.named_parameters()]
    params = [p for _, p in net.named_parameters()]
    loss = ((net(r) - target) ** 2).mean()
    grads = torch.autograd.grad(loss, params)
    return dict(zip(names, grads))
