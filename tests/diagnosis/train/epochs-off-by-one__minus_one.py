# range(n_epochs - 1) with the optimizer's step written first in the loop body
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Gradient descent on the full batch."""
    sgd = torch.optim.SGD(net.parameters(), lr=learning_rate)
    record = []
    for epoch in range(n_epochs - 1):
        sgd.zero_grad()
        current = loss_fn(net(train_data), train_labels)
        current.backward()
        sgd.step()
        record.append(current.item())
    return record
