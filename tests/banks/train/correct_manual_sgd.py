# correct: a manual SGD update under torch.no_grad(), gradients zeroed with net.zero_grad()
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    train_loss = []
    for epoch in range(n_epochs):
        net.zero_grad()
        loss = loss_fn(net(train_data), train_labels)
        loss.backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= learning_rate * p.grad
        train_loss.append(float(loss))
    return train_loss
