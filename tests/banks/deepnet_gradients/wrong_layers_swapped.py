# wrong: stores the output layer's gradients under in_layer's names and vice versa
# misconception layer-gradients-swapped: the gradients of the two layers are stored under each other's names
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss of a DeepNetReLU with respect to its parameters, by hand."""
    W1, b1 = net.in_layer.weight.detach(), net.in_layer.bias.detach()
    W2, b2 = net.out_layer.weight.detach(), net.out_layer.bias.detach()
    h_pre, cache_in = linear_forward(r, W1, b1)
    h, cache_relu = relu_forward(h_pre)
    pred, cache_out = linear_forward(h, W2, b2)
    loss, dpred = mse_loss(pred, target)
    dh, dW2, db2 = linear_backward(dpred, cache_out)
    dh_pre = relu_backward(dh, cache_relu)
    _, dW1, db1 = linear_backward(dh_pre, cache_in)
    return {"in_layer.weight": dW2, "in_layer.bias": db2, "out_layer.weight": dW1, "out_layer.bias": db1}
