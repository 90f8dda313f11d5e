# wrong: appends the loss tensor instead of loss.item()
# misconception tensor-instead-of-float: a torch tensor is returned where a Python float is expected; convert it with .item() or float(...)
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss)
    return train_loss
