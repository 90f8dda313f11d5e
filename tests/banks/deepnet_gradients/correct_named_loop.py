# correct: layers walked as a list, gradients collected by parameter name
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss of a DeepNetReLU with respect to its parameters, by hand."""
    W1, b1 = net.in_layer.weight.detach(), net.in_layer.bias.detach()
    W2, b2 = net.out_layer.weight.detach(), net.out_layer.bias.detach()
    layers = [("in_layer", W1, b1), ("out_layer", W2, b2)]
    caches, x = [], r
    for i, (name, W, b) in enumerate(layers):
        x, cache = linear_forward(x, W, b)
        caches.append(("linear", name, cache))
        if i < len(layers) - 1:
            x, cache = relu_forward(x)
            caches.append(("relu", None, cache))
    _, grad = mse_loss(x, target)
    grads = {}
    for kind, name, cache in reversed(caches):
        if kind == "relu":
            grad = relu_backward(grad, cache)
        else:
            grad, dW, db = linear_backward(grad, cache)
            grads[name + ".weight"], grads[name + ".bias"] = dW, db
    return grads
