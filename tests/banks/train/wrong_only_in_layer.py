# wrong: gives the optimizer only in_layer's parameters
# misconception optimizer-missing-parameters: the optimizer is given only some of the network's parameters; pass net.parameters() so every layer learns
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.in_layer.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
    return train_loss
