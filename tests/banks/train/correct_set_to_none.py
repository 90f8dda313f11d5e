# correct: SGD with zero_grad(set_to_none=True) first and the loss recorded before backward
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD)."""
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    history = []
    for _ in range(n_epochs):
        optimizer.zero_grad(set_to_none=True)
        prediction = net(train_data)
        loss = loss_fn(prediction, train_labels)
        history.append(loss.item())
        loss.backward()
        optimizer.step()
    return history
