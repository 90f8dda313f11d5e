# wrong: uses the Adam optimizer instead of plain SGD
# misconception adam-instead-of-sgd: the Adam optimizer is used instead of plain gradient descent (torch.optim.SGD)
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.Adam(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
    return train_loss
