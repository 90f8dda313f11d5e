# wrong: calls zero_grad() between backward() and step(), so nothing is updated
# misconception zero-grad-after-backward: zero_grad() is called between backward() and step(), so the gradients are erased before the update and nothing is learned
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        train_loss.append(loss.item())
    return train_loss
