# plain gradient descent written by hand (no optimizer), and the gradients never reset
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Full-batch gradient descent."""
    history = []
    for _ in range(n_epochs):
        loss = loss_fn(net(train_data), train_labels)
        loss.backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= learning_rate * p.grad
        history.append(float(loss))
    return history
