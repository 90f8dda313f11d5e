# correct: plain tensor formulas, without calling the layer functions
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss of a DeepNetReLU with respect to its parameters, by hand."""
    W1, b1 = net.in_layer.weight.detach(), net.in_layer.bias.detach()
    W2, b2 = net.out_layer.weight.detach(), net.out_layer.bias.detach()
    h_pre = r @ W1.T + b1
    h = h_pre.clamp(min=0)
    pred = h @ W2.T + b2
    dpred = 2 * (pred - target) / pred.numel()
    dW2, db2 = dpred.T @ h, dpred.sum(0)
    dh_pre = (dpred @ W2) * (h_pre > 0)
    dW1, db1 = dh_pre.T @ r, dh_pre.sum(0)
    return {"in_layer.weight": dW1, "in_layer.bias": db1, "out_layer.weight": dW2, "out_layer.bias": db2}
