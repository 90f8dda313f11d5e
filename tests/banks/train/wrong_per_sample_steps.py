# wrong: one SGD step per sample (stochastic) instead of one full-batch step per epoch
# misconception per-sample-steps: one update is made per sample instead of one full-batch update per epoch
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        train_loss.append(loss_fn(net(train_data), train_labels).item())
        for j in range(train_data.shape[0]):
            loss = loss_fn(net(train_data[j:j + 1]), train_labels[j:j + 1])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return train_loss
