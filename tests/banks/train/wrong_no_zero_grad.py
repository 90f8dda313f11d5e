# wrong: forgets optimizer.zero_grad(), so gradients accumulate over epochs
# misconception gradients-not-zeroed: optimizer.zero_grad() is missing, so the gradients of every epoch add up instead of being computed afresh
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        loss.backward()
        optimizer.step()
        train_loss.append(loss.item())
    return train_loss
