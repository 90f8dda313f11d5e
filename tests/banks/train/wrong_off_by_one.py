# wrong: runs n_epochs - 1 epochs (range(1, n_epochs))
# misconception epochs-off-by-one: one epoch too few is run (range(1, n_epochs)); train for exactly n_epochs updates
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(1, n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
    return train_loss
