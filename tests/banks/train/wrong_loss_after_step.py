# wrong: records the loss recomputed after the update instead of the loss that was minimised
# misconception loss-recorded-after-step: the loss is recomputed after the update and recorded; record the loss that the step minimised, computed before the update
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            train_loss.append(loss_fn(net(train_data), train_labels).item())
    return train_loss
