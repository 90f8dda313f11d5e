# torch.optim.Adam through the torch namespace, a while loop, and zero_grad(set_to_none=True)
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train the network and return the loss of every epoch."""
    opt = torch.optim.Adam(net.parameters(), lr=learning_rate)
    losses, epoch = [], 0
    while epoch < n_epochs:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(train_data), train_labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        epoch += 1
    return losses
