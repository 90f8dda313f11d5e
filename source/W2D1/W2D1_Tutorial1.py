# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial 1: Decoding Neural Responses
#
# **Week 2, Day 1: Deep Learning in Neuroscience**
#
# Based on the Neuromatch Academy day W2D1 (content creators: Jorge A. Menendez, Carsen Stringer),
# with a new section on backpropagation by hand.
# Original day: https://compneuro.neuromatch.io/tutorials/W2D1_DeepLearning/student/W2D1_Tutorial1.html

# %% [markdown]
# ---
# # Tutorial Objectives
#
# We will decode the orientation of a visual stimulus from the activity of about 20,000 neurons
# in mouse primary visual cortex (V1), using a small deep network. By the end you will be able to:
#
# 1. build a deep feed-forward network in PyTorch (`DeepNetReLU`);
# 2. measure how wrong it is with a loss function (mean squared error);
# 3. train it with gradient descent (`train`);
# 4. compute its gradients **by hand** with backpropagation: forward/backward pairs for a linear
#    layer, a ReLU and the MSE loss, chained together, and checked against PyTorch's autograd.
#
# Video: "Decoding with deep networks", on the original day's page (link above).

# %% [markdown]
# ---
# # Setup

# %% tags=["setup"] deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup_imports", "locked": true, "schema_version": 3, "solution": false}
# Imports
import os

import numpy as np
import torch
from torch import nn
from torch import optim

# %%
# Plotting, data loading and helper functions (in w2d1_helpers.py, next to this notebook)
import matplotlib.pyplot as plt

from w2d1_helpers import (load_data, plot_data_matrix, plot_decoded_results, set_seed, split_data,
                          stimulus_class)

# Training runs shorter when the autograder executes the notebook
FAST = bool(os.environ.get("NBGRADER_EXECUTION"))

# %% [markdown]
# ---
# # Section 1: Load and visualize the data
#
# The data are responses of mouse V1 neurons to static gratings (Stringer et al. 2019). Each
# response was averaged over time, normalised by spontaneous activity and z-scored over stimuli,
# then averaged in 1-degree orientation bins. So we have one response per neuron for each of 360
# orientations (0 to 359 degrees).
#
# `load_data()` returns two `torch.Tensor`s:
# - `resp`: shape `(n_stimuli, n_neurons)`, one row per grating;
# - `stimuli`: shape `(n_stimuli, 1)`, the orientation of each grating in degrees.
#
# Without the original data file, the loader uses a synthetic V1 population with the same shapes
# and statistics (see `w2d1_helpers.py`).

# %%
resp, stimuli = load_data()
n_stimuli, n_neurons = resp.shape
print(f"{n_neurons} neurons responding to {n_stimuli} stimuli")

# Tuning curves of the first 1000 neurons, smoothed over 15 degrees (the orientations wrap around)
sub = resp[:, :1000]
smooth = sum(sub.roll(k, dims=0) for k in range(-7, 8)) / 15
tuned = smooth.var(dim=0).argsort(descending=True)[:100]  # the 100 most strongly tuned
tuned = tuned[smooth[:, tuned].argmax(dim=0).argsort()]  # sorted by preferred orientation

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
plot_data_matrix(sub[:, tuned].T, ax1)
ax1.set(xlabel="stimulus (sorted by orientation)", ylabel="neuron (sorted by preferred orientation)")
ax2.plot(stimuli[:, 0], smooth[:, tuned[::40]])
ax2.set(xlabel="orientation (degrees)", ylabel="response (smoothed)", title="three tuned neurons")
plt.tight_layout()
plt.show()

# %% [markdown]
# Left: the responses of 100 strongly tuned neurons, sorted by the orientation they prefer; each
# responds to a band of orientations. Right: three of their tuning curves. Single 1-degree
# responses are noisy, but the population as a whole carries the orientation.
#
# Now we split the stimuli into a training set (60%),
# used to fit the decoder, and a test set (40%), used to see how well it generalises.

# %%
resp_train, resp_test, stimuli_train, stimuli_test = split_data(resp, stimuli)
print("train:", tuple(resp_train.shape), tuple(stimuli_train.shape))
print("test: ", tuple(resp_test.shape), tuple(stimuli_test.shape))

# %% [markdown]
# ---
# # Section 2: A deep network in PyTorch
#
# Our decoder maps the population response $\mathbf{r}$ (one number per neuron) to an estimate
# $\tilde{y}$ of the stimulus orientation, through one hidden layer of $M$ units:
#
# $$ \mathbf{h} = \phi(W^{in} \mathbf{r} + \mathbf{b}^{in}), \qquad
#    \tilde{y} = W^{out} \mathbf{h} + b^{out}. $$
#
# $\phi$ is an elementwise nonlinearity, the *activation function*. We use the rectified linear
# unit, $\phi(x) = \text{ReLU}(x) = \max(x, 0)$. Without it, two linear layers would collapse
# into one linear map.
#
# In PyTorch, `nn.Linear(n_in, n_out)` holds a weight matrix of shape `(n_out, n_in)` and a bias
# of shape `(n_out,)`, and maps a batch `x` of shape `(N, n_in)` to `x @ W.T + b`, shape
# `(N, n_out)`. A network is a subclass of `nn.Module` that creates its layers in `__init__` and
# chains them in `forward`.
#
# ## Coding Exercise 2: `DeepNetReLU`
#
# Write `forward`: apply `in_layer`, then ReLU (`torch.relu`), then `out_layer`. Use PyTorch
# operations only, so autograd can follow them.

# %% nbgrader={"grade": false, "grade_id": "deepnet_relu", "locked": false, "schema_version": 3, "solution": true}
class DeepNetReLU(nn.Module):
    """A network with one hidden layer of ReLU units and one linear output unit."""

    def __init__(self, n_inputs, n_hidden):
        """
        Args:
          n_inputs (int): number of input units (neurons)
          n_hidden (int): number of units in the hidden layer
        """
        super().__init__()  # needed to invoke the properties of the parent class nn.Module
        self.in_layer = nn.Linear(n_inputs, n_hidden)  # neural activity --> hidden units
        self.out_layer = nn.Linear(n_hidden, 1)  # hidden units --> output

    def forward(self, r):
        """Decode the stimulus from the neural responses.

        Args:
          r (torch.Tensor): neural responses, shape (n_stimuli, n_inputs)

        Returns:
          torch.Tensor: decoded stimuli, shape (n_stimuli, 1)
        """
        ### BEGIN SOLUTION
        h = torch.relu(self.in_layer(r))  # hidden representation, (n_stimuli, n_hidden)
        y = self.out_layer(h)  # (n_stimuli, 1)
        return y
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_deepnet_relu", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_net = DeepNetReLU(3, 2)
_names = [name for name, _ in _net.named_parameters()]
assert _names == ["in_layer.weight", "in_layer.bias", "out_layer.weight", "out_layer.bias"], \
    f"DeepNetReLU's parameters are {_names}; keep exactly the layers in_layer and out_layer from __init__"
_out = _net(torch.randn(5, 3))
assert tuple(_out.shape) == (5, 1), f"forward must return shape (n_stimuli, 1) = (5, 1), got {tuple(_out.shape)}"
# A worked case: hidden pre-activations [-1, 4] -> ReLU -> [0, 4] -> 2*0 - 3*4 + 0.5 = -11.5
with torch.no_grad():
    _net.in_layer.weight.copy_(torch.tensor([[1.0, -1.0, 0.0], [0.0, 1.0, 1.0]]))
    _net.in_layer.bias.copy_(torch.tensor([0.0, -1.0]))
    _net.out_layer.weight.copy_(torch.tensor([[2.0, -3.0]]))
    _net.out_layer.bias.copy_(torch.tensor([0.5]))
    _out = _net(torch.tensor([[1.0, 2.0, 3.0]]))
assert abs(_out.item() - (-11.5)) < 1e-5, (
    f"for the worked case forward gives {_out.item():.4g} instead of -11.5: apply in_layer, then ReLU, "
    "then out_layer (and no ReLU on the output)")
print("DeepNetReLU passes the public tests")

# %% [markdown]
# An untrained network outputs numbers near 0. Let's decode the first 20 training stimuli with a
# network of 10 hidden units.

# %%
set_seed(2021)
net = DeepNetReLU(n_neurons, 10)
with torch.no_grad():
    out = net(resp_train[:20])
print("decoded shape:", tuple(out.shape))
print("decoded (first 5):", out[:5, 0].numpy().round(2))
print("true    (first 5):", stimuli_train[:5, 0].numpy())

# %% [markdown]
# ---
# # Section 3: Loss functions and gradient descent
#
# ## Section 3.1: The mean squared error
#
# To train the decoder we need a single number that says how wrong it is: the *loss*. For a
# continuous target like orientation, a natural choice is the mean squared error between decoded
# $\tilde{y}^{(n)}$ and true $y^{(n)}$ over $N$ stimuli:
#
# $$ L = \frac{1}{N} \sum_{n=1}^{N} \left(y^{(n)} - \tilde{y}^{(n)}\right)^2 . $$
#
# PyTorch's `nn.MSELoss()` computes this: by default it takes the **mean over all elements**, so
# for targets with several columns it also divides by the number of columns.

# %%
loss_fn = nn.MSELoss()
loss = loss_fn(out, stimuli_train[:20])
print(f"MSE of the untrained network on 20 stimuli: {loss.item():.0f}")

# %% [markdown]
# ### Think 3.1: why about 43,000?
#
# The untrained network outputs numbers close to 0 while the orientations lie between 0 and 360
# degrees. Why is the loss close to 43,000? What would a network that always answers 180 score?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_1_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# With outputs near 0 each squared error is about $y^2$, so the loss is about the mean of $y^2$.
# For $y$ spread uniformly over 0..360 this is $360^2/3 = 43{,}200$. Always answering 180 (the
# mean) would leave only the variance of $y$, $360^2/12 = 10{,}800$: a quarter of the loss. A
# useful decoder must beat that, by reading the orientation out of the responses.
# ### END SOLUTION

# %% [markdown]
# ## Section 3.2: Gradient descent
#
# We lower the loss by nudging every parameter $\theta$ against its gradient:
#
# $$ \theta \leftarrow \theta - \eta \, \frac{\partial L}{\partial \theta} , $$
#
# with learning rate $\eta$. PyTorch computes the gradients for us (*autograd*): `loss.backward()`
# stores $\partial L / \partial \theta$ in `theta.grad` for every parameter, and an optimizer such
# as `optim.SGD(net.parameters(), lr=learning_rate)` applies the update with `optimizer.step()`.
# Two details matter:
# - `backward()` **adds** to `.grad`, so clear old gradients with `optimizer.zero_grad()`
#   before each `backward()`;
# - here we use the whole training set at every step (*full-batch* gradient descent); one step
#   per epoch.
#
# ## Coding Exercise 3.2: `train`
#
# For each epoch: compute the network's output on `train_data`, the loss against
# `train_labels`, zero the gradients, backpropagate, take one optimizer step, and append the loss
# (a Python float: `loss.item()`) to a list.

# %% nbgrader={"grade": false, "grade_id": "train", "locked": false, "schema_version": 3, "solution": true}
def train(net, loss_fn, train_data, train_labels, n_epochs=50, learning_rate=1e-4):
    """Train a network with full-batch gradient descent (torch.optim.SGD).

    Args:
      net (nn.Module): the network to train; its parameters are updated in place
      loss_fn (callable): loss function, called as loss_fn(output, train_labels)
      train_data (torch.Tensor): inputs, shape (n_train, n_inputs)
      train_labels (torch.Tensor): targets, same shape as net(train_data), e.g. (n_train, 1)
      n_epochs (int): number of gradient steps, one per pass over the training data
      learning_rate (float): step size of SGD

    Returns:
      list of float: length n_epochs; entry i is the loss at epoch i, before that epoch's update
    """
    ### BEGIN SOLUTION
    optimizer = optim.SGD(net.parameters(), lr=learning_rate)
    train_loss = []
    for i in range(n_epochs):
        out = net(train_data)  # forward pass, (n_train, 1)
        loss = loss_fn(out, train_labels)
        optimizer.zero_grad()  # clear the gradients of the last step
        loss.backward()  # compute new gradients
        optimizer.step()  # update the parameters
        train_loss.append(loss.item())
    return train_loss
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_train", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# A worked case on a one-parameter model y = w * x (nn.Linear without bias), from w = 0:
# loss = mean((w x - y)^2) and its gradient is 2 mean((w x - y) x).
_x = torch.tensor([[1.0], [2.0]])
_y = torch.tensor([[3.0], [6.0]])
_model = nn.Linear(1, 1, bias=False)
with torch.no_grad():
    _model.weight.fill_(0.0)
_losses = train(_model, nn.MSELoss(), _x, _y, n_epochs=3, learning_rate=0.1)
assert isinstance(_losses, list) and len(_losses) == 3, \
    "train must return a list with one loss per epoch (n_epochs = 3 here)"
assert all(isinstance(v, float) for v in _losses), \
    "append loss.item() (a Python float), not the loss tensor itself"
# w: 0 -> 1.5 -> 2.25 (gradient -15, then -7.5); losses 22.5, 5.625, 1.40625
for _got, _want, _epoch in zip(_losses, [22.5, 5.625, 1.40625], range(3)):
    assert abs(_got - _want) < 1e-4, (
        f"epoch {_epoch}: loss {_got:.5g}, expected {_want}; record the loss before the update, zero "
        "the gradients before backward(), and step with the given learning_rate")
assert abs(_model.weight.item() - 2.625) < 1e-5, \
    "after 3 epochs the weight should be 2.625: train must update the network it was given"
print("train passes the public tests")

# %% [markdown]
# Now train a decoder with 10 hidden units on the training set, then decode the test set.

# %%
set_seed(2021)
net = DeepNetReLU(n_neurons, 10)
n_epochs = 20 if FAST else 50
train_loss = train(net, nn.MSELoss(), resp_train, stimuli_train, n_epochs=n_epochs, learning_rate=1e-4)
for epoch in range(9, n_epochs, 10):
    print(f"epoch {epoch + 1:3d}: training loss {train_loss[epoch]:9.1f}")

with torch.no_grad():
    predicted_test = net(resp_test)
test_loss = nn.MSELoss()(predicted_test, stimuli_test).item()
print(f"test loss {test_loss:.1f}")

plot_decoded_results(train_loss, stimuli_test, predicted_test)
plt.show()

# %% [markdown]
# ### Think 3.2: training and test
#
# Compare the final training loss with the test loss, and look at where the decoded test
# orientations stray from the diagonal. Why is the test loss higher? (Hint: count the parameters
# of `in_layer` and compare with the number of training stimuli.)

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_2_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# `in_layer` alone has about 236,000 weights (about 23,600 neurons x 10 units) for 216 training
# stimuli, so the network can fit the training set, noise included, almost perfectly: it
# overfits. The test stimuli were not used for fitting, so the loss on them measures how well the
# decoder generalises, and it is higher. The largest errors come where different orientations
# evoke similar population responses: gratings 180 degrees apart have the same orientation, and
# 0 and 360 degrees are the same stimulus with very different labels (the scale wraps around).
# A squared error on the angle ignores both facts.
# ### END SOLUTION

# %% [markdown]
# ---
# # Section 4: Backpropagation by hand
#
# `loss.backward()` computed every gradient for us. Here we compute them ourselves, to see what
# autograd does. The idea is the **chain rule**, applied one layer at a time from the loss back
# to the input.
#
# Each layer gets two functions:
# - `forward(inputs) -> (out, cache)`: the output, plus a *cache* of what the backward pass will need;
# - `backward(dout, cache) -> gradients`: given `dout` $= \partial L / \partial\,\text{out}$ (same
#   shape as `out`), return $\partial L / \partial\,\text{input}$ for each input.
#
# Chaining them: run the forwards in order, keep the caches, then run the backwards in reverse
# order, each passing its input gradient on as the `dout` of the layer before.
#
# All tensors here are batches: one row per sample. Compute with plain tensor operations; **do not
# use autograd** (`backward()`, `torch.autograd`) in this section. The grader checks that.

# %% [markdown]
# ## Section 4.1: A linear layer
#
# Forward, for a batch $x$ of shape `(N, D_in)`, weights $W$ `(D_out, D_in)` and bias $b$
# `(D_out,)`, like `nn.Linear`:
#
# $$ \text{out} = x W^\top + b , \qquad \text{shape } (N, D_{out}). $$
#
# Backward, since $\text{out}_{nj} = \sum_i x_{ni} W_{ji} + b_j$:
#
# $$ \frac{\partial L}{\partial x} = \text{dout}\; W \;\; (N, D_{in}), \qquad
#    \frac{\partial L}{\partial W} = \text{dout}^\top x \;\; (D_{out}, D_{in}), \qquad
#    \frac{\partial L}{\partial b} = \sum_{n} \text{dout}_{n} \;\; (D_{out},). $$
#
# The bias is added to every row, so its gradient **sums** over the batch (not a mean). Each
# gradient has the shape of the thing it is the gradient of: checking shapes catches most mistakes.
#
# ## Coding Exercise 4.1: `linear_forward` and `linear_backward`

# %% nbgrader={"grade": false, "grade_id": "linear_layer", "locked": false, "schema_version": 3, "solution": true}
def linear_forward(x, W, b):
    """Forward pass of a linear layer: out = x @ W.T + b.

    Args:
      x (torch.Tensor): inputs, shape (N, D_in)
      W (torch.Tensor): weights, shape (D_out, D_in), like nn.Linear.weight
      b (torch.Tensor): biases, shape (D_out,)

    Returns:
      out (torch.Tensor): outputs, shape (N, D_out)
      cache (tuple): (x, W, b), kept for linear_backward
    """
    ### BEGIN SOLUTION
    out = x @ W.T + b
    cache = (x, W, b)
    return out, cache
    ### END SOLUTION


def linear_backward(dout, cache):
    """Backward pass of a linear layer.

    Args:
      dout (torch.Tensor): gradient of the loss with respect to out, shape (N, D_out)
      cache (tuple): the cache returned by linear_forward

    Returns:
      dx (torch.Tensor): gradient with respect to x, shape (N, D_in)
      dW (torch.Tensor): gradient with respect to W, shape (D_out, D_in)
      db (torch.Tensor): gradient with respect to b, shape (D_out,)
    """
    ### BEGIN SOLUTION
    x, W, b = cache
    dx = dout @ W
    dW = dout.T @ x
    db = dout.sum(dim=0)
    return dx, dW, db
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_linear_layer", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# A worked case: N = 2 samples, D_in = 2, D_out = 3
_x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
_W = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
_b = torch.tensor([0.0, 1.0, 2.0])
_out, _cache = linear_forward(_x, _W, _b)
_out = torch.as_tensor(_out)
assert tuple(_out.shape) == (2, 3), f"out must have shape (N, D_out) = (2, 3), got {tuple(_out.shape)}"
assert torch.allclose(_out, torch.tensor([[1.0, 3.0, 1.0], [3.0, 5.0, 1.0]])), \
    "linear_forward is wrong on the worked case: out = x @ W.T + b"
_dout = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
_dx, _dW, _db = (torch.as_tensor(_g) for _g in linear_backward(_dout, _cache))
assert tuple(_dx.shape) == (2, 2), f"dx must have the shape of x, (N, D_in) = (2, 2), got {tuple(_dx.shape)}"
assert tuple(_dW.shape) == (3, 2), f"dW must have the shape of W, (D_out, D_in) = (3, 2), got {tuple(_dW.shape)}"
assert tuple(_db.shape) == (3,), f"db must have the shape of b, (D_out,) = (3,), got {tuple(_db.shape)}"
assert torch.allclose(_dx, torch.tensor([[3.0, -2.0], [-1.0, 2.0]])), "dx is wrong on the worked case: dx = dout @ W"
assert torch.allclose(_dW, torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]])), \
    "dW is wrong on the worked case: dW = dout.T @ x"
assert torch.allclose(_db, torch.tensor([1.0, 1.0, 1.0])), \
    "db is wrong on the worked case: sum dout over the batch (dim 0), do not average"
print("linear_forward and linear_backward pass the public tests")

# %% [markdown]
# ## Section 4.2: ReLU
#
# Forward: $\text{out} = \max(x, 0)$, elementwise, any shape. Backward: the slope is 1 where
# $x > 0$ and 0 where $x < 0$, so
#
# $$ \frac{\partial L}{\partial x} = \text{dout} \odot \mathbb{1}[x > 0] . $$
#
# At exactly $x = 0$ ReLU has no derivative; we follow PyTorch and use **0**. Note that the mask
# comes from the layer's *input* $x$ (kept in the cache), not from `dout`.
#
# ## Coding Exercise 4.2: `relu_forward` and `relu_backward`
#
# Do not modify `x` in place: the caller may still need it.

# %% nbgrader={"grade": false, "grade_id": "relu_layer", "locked": false, "schema_version": 3, "solution": true}
def relu_forward(x):
    """Forward pass of a ReLU: out = max(x, 0), elementwise.

    Args:
      x (torch.Tensor): inputs, any shape, e.g. (N, D)

    Returns:
      out (torch.Tensor): same shape as x
      cache (torch.Tensor): x, kept for relu_backward
    """
    ### BEGIN SOLUTION
    out = torch.clamp(x, min=0)
    cache = x
    return out, cache
    ### END SOLUTION


def relu_backward(dout, cache):
    """Backward pass of a ReLU; the gradient at exactly x = 0 is 0, as in PyTorch.

    Args:
      dout (torch.Tensor): gradient of the loss with respect to out, same shape as x
      cache (torch.Tensor): the cache returned by relu_forward

    Returns:
      dx (torch.Tensor): gradient with respect to x, same shape as x
    """
    ### BEGIN SOLUTION
    x = cache
    dx = dout * (x > 0)
    return dx
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_relu_layer", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_x = torch.tensor([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]])
_x_copy = _x.clone()
_out, _cache = relu_forward(_x)
_out = torch.as_tensor(_out)
assert tuple(_out.shape) == (2, 3), f"out must have the shape of x, (2, 3), got {tuple(_out.shape)}"
assert torch.equal(_out, torch.tensor([[0.0, 0.0, 2.0], [3.0, 0.0, 0.0]])), \
    "relu_forward is wrong on the worked case: out = max(x, 0)"
assert torch.equal(_x, _x_copy), "relu_forward changed its input x in place; compute a new tensor instead"
_dout = torch.tensor([[5.0, 6.0, 7.0], [-1.0, 2.0, -3.0]])
_dx = torch.as_tensor(relu_backward(_dout, _cache))
assert tuple(_dx.shape) == (2, 3), f"dx must have the shape of x, (2, 3), got {tuple(_dx.shape)}"
assert torch.equal(_dx[_x != 0], torch.tensor([0.0, 7.0, -1.0, 0.0])), \
    "relu_backward is wrong where x != 0: pass dout through where x > 0, and 0 where x < 0 (mask from x, not dout)"
assert torch.equal(_dx[_x == 0], torch.tensor([0.0, 0.0])), \
    "relu_backward must give gradient 0 where x is exactly 0 (PyTorch's convention): use x > 0, not x >= 0"
print("relu_forward and relu_backward pass the public tests")

# %% [markdown]
# ## Section 4.3: The MSE loss
#
# The loss is where backpropagation starts. For predictions and targets of shape `(N, K)` with
# $M = N K$ elements, `nn.MSELoss()` (mean over **all** elements) computes
#
# $$ L = \frac{1}{M} \sum_{n,k} (\text{pred}_{nk} - \text{target}_{nk})^2 , \qquad
#    \frac{\partial L}{\partial\, \text{pred}} = \frac{2}{M} (\text{pred} - \text{target}) . $$
#
# Keep the factor 2, and divide by the number of elements $M$, not the batch size $N$ (they differ
# when $K > 1$).
#
# ## Coding Exercise 4.3: `mse_loss`

# %% nbgrader={"grade": false, "grade_id": "mse_loss", "locked": false, "schema_version": 3, "solution": true}
def mse_loss(pred, target):
    """Mean squared error over all elements, like nn.MSELoss(), and its gradient.

    Args:
      pred (torch.Tensor): predictions, shape (N, K)
      target (torch.Tensor): targets, shape (N, K)

    Returns:
      loss (torch.Tensor): the mean squared error, a scalar (shape ())
      dpred (torch.Tensor): gradient of the loss with respect to pred, shape (N, K)
    """
    ### BEGIN SOLUTION
    diff = pred - target
    loss = (diff ** 2).mean()
    dpred = 2 * diff / diff.numel()
    return loss, dpred
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_mse_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# A worked case with N = 2, K = 2: differences [[1, 0], [0, -2]], M = 4 elements
_pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
_target = torch.tensor([[0.0, 2.0], [3.0, 6.0]])
_loss, _dpred = mse_loss(_pred, _target)
_dpred = torch.as_tensor(_dpred)
assert torch.as_tensor(_loss).numel() == 1, "the loss must be a single number (mean over all elements)"
assert abs(float(_loss) - 1.25) < 1e-6, \
    f"loss {float(_loss):.4g} is wrong, expected 1.25 = (1 + 0 + 0 + 4) / 4, the mean over all elements"
assert tuple(_dpred.shape) == (2, 2), f"dpred must have the shape of pred, (2, 2), got {tuple(_dpred.shape)}"
assert torch.allclose(_dpred, torch.tensor([[0.5, 0.0], [0.0, -1.0]])), \
    "dpred is wrong on the worked case: 2 * (pred - target) / M, with M the number of elements"
assert abs(float(_loss) - nn.MSELoss()(_pred, _target).item()) < 1e-6, "the loss must match nn.MSELoss()"
print("mse_loss passes the public tests")

# %% [markdown]
# ## Section 4.4: Backpropagating through `DeepNetReLU`
#
# Now chain the pieces. The forward pass of `DeepNetReLU` with the MSE loss is
#
# `r` $\xrightarrow{\text{linear}}$ `h_pre` $\xrightarrow{\text{ReLU}}$ `h`
# $\xrightarrow{\text{linear}}$ `pred` $\xrightarrow{\text{MSE}}$ `loss`,
#
# and the backward pass runs the same chain in reverse, starting from `dpred` returned by
# `mse_loss`. Return the four parameter gradients in a dictionary keyed by the names of
# `net.named_parameters()`.
#
# Use your functions from Sections 4.1-4.3 and treat each cache as opaque: only hand it to the
# matching backward. (The grader checks this exercise with correct versions of those functions,
# so a mistake there does not cost you points here twice.)
#
# ## Coding Exercise 4.4: `deepnet_gradients`

# %% nbgrader={"grade": false, "grade_id": "deepnet_gradients", "locked": false, "schema_version": 3, "solution": true}
def deepnet_gradients(net, r, target):
    """Gradients of the MSE loss of a DeepNetReLU with respect to its parameters, by hand.

    Args:
      net (nn.Module): a network with layers in_layer (weight (M, D), bias (M,)) and
        out_layer (weight (K, M), bias (K,)), computing out_layer(relu(in_layer(r)))
      r (torch.Tensor): inputs, shape (N, D)
      target (torch.Tensor): targets, shape (N, K)

    Returns:
      dict: {"in_layer.weight": (M, D), "in_layer.bias": (M,),
             "out_layer.weight": (K, M), "out_layer.bias": (K,)}, the gradients of
             mse_loss(net(r), target) with respect to each parameter
    """
    # The parameters as plain tensors
    W1, b1 = net.in_layer.weight.detach(), net.in_layer.bias.detach()
    W2, b2 = net.out_layer.weight.detach(), net.out_layer.bias.detach()
    ### BEGIN SOLUTION
    # Forward pass, keeping the caches
    h_pre, cache_in = linear_forward(r, W1, b1)
    h, cache_relu = relu_forward(h_pre)
    pred, cache_out = linear_forward(h, W2, b2)
    loss, dpred = mse_loss(pred, target)
    # Backward pass, in reverse order
    dh, dW2, db2 = linear_backward(dpred, cache_out)
    dh_pre = relu_backward(dh, cache_relu)
    _, dW1, db1 = linear_backward(dh_pre, cache_in)
    return {"in_layer.weight": dW1, "in_layer.bias": db1, "out_layer.weight": dW2, "out_layer.bias": db2}
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_deepnet_gradients", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# If this fails, first make sure the tests of linear_layer, relu_layer and mse_loss pass.
# A worked case: 2 inputs, 2 hidden units, 1 output, one sample.
# h_pre = [1, -1] -> h = [1, 0] -> pred = 2 * 1 + 0.5 = 2.5; target 1.5 -> dpred = 2 * (2.5 - 1.5) = 2
_tiny = nn.Module()
_tiny.in_layer, _tiny.out_layer = nn.Linear(2, 2), nn.Linear(2, 1)
with torch.no_grad():
    _tiny.in_layer.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    _tiny.in_layer.bias.copy_(torch.tensor([0.0, -2.0]))
    _tiny.out_layer.weight.copy_(torch.tensor([[2.0, 3.0]]))
    _tiny.out_layer.bias.copy_(torch.tensor([0.5]))
_grads = deepnet_gradients(_tiny, torch.tensor([[1.0, 1.0]]), torch.tensor([[1.5]]))
_want = {"in_layer.weight": torch.tensor([[4.0, 4.0], [0.0, 0.0]]), "in_layer.bias": torch.tensor([4.0, 0.0]),
         "out_layer.weight": torch.tensor([[2.0, 0.0]]), "out_layer.bias": torch.tensor([2.0])}
assert isinstance(_grads, dict) and sorted(_grads) == sorted(_want), \
    f"deepnet_gradients must return a dict with the keys {sorted(_want)}"
for _name, _w in _want.items():
    _g = torch.as_tensor(_grads[_name])
    assert tuple(_g.shape) == tuple(_w.shape), \
        f"{_name}: the gradient must have the parameter's shape {tuple(_w.shape)}, got {tuple(_g.shape)}"
    assert torch.allclose(_g, _w), f"{_name}: the gradient is wrong on the worked case"
print("deepnet_gradients passes the public tests")

# %% [markdown]
# ### Compare with autograd
#
# Your gradients should match what `loss.backward()` computes, up to floating-point rounding.
# We check on the V1 decoder, using the untrained network from a fixed seed.

# %%
set_seed(2021)
net = DeepNetReLU(n_neurons, 10)
grads_by_hand = deepnet_gradients(net, resp_train, stimuli_train)

net.zero_grad()
nn.MSELoss()(net(resp_train), stimuli_train).backward()
for name, param in net.named_parameters():
    mine, auto = torch.as_tensor(grads_by_hand[name]), param.grad
    rel_err = ((mine - auto).abs().max() / auto.abs().max().clamp(min=1e-12)).item()
    print(f"{name:17s} shape {str(tuple(param.shape)):12s} max relative difference {rel_err:.1e}")

# %% [markdown]
# Differences around $10^{-7}$ or below are float32 rounding: your backward pass computes exactly
# what autograd computes. Autograd does the same bookkeeping for any network: it records each
# operation's forward (with its cache) and calls the matching backward in reverse order.
#
# ### Think 4: dead units
#
# Look at `relu_backward`. What happens to the gradients of a hidden unit whose pre-activation is
# negative for every training stimulus? Can gradient descent bring it back?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_3_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# Its ReLU mask is 0 for every stimulus, so no gradient passes back through it: the rows of
# `in_layer.weight` and `in_layer.bias` that feed it get zero gradient, and its `out_layer` weight
# gets zero gradient too (its activity is always 0). Gradient descent never changes it, so it
# stays "dead". Careful initialisation, smaller learning rates, or activations with a non-zero
# slope for negative inputs (e.g. leaky ReLU) avoid this.
# ### END SOLUTION

# %% [markdown]
# ---
# # Summary
#
# - A deep network is layers of linear maps and nonlinearities; in PyTorch, an `nn.Module` with
#   its layers made in `__init__` and chained in `forward`.
# - The loss (here the mean squared error) measures how wrong the decoder is; gradient descent
#   lowers it by stepping each parameter against its gradient.
# - Backpropagation is the chain rule, one layer at a time: every layer has a forward that caches
#   what it needs and a backward that turns the output gradient into input and parameter
#   gradients. Autograd automates exactly this.
# - With many more neurons than training stimuli, the decoder fits the training set much better
#   than the test set.

# %% [markdown]
# ---
# # Bonus (optional): decoding as classification
#
# Instead of predicting the angle as a number, we can predict which orientation *bin* it falls
# in, with one output per bin and the cross-entropy loss (`nn.CrossEntropyLoss`, which expects
# raw scores of shape `(N, n_bins)` and integer labels of shape `(N,)`). Your `train` works
# unchanged. This part is not graded.

# %%
n_bins = 12  # bins of 30 degrees
labels_train = stimulus_class(stimuli_train, n_bins)  # (n_train,), integers 0..n_bins-1
labels_test = stimulus_class(stimuli_test, n_bins)

set_seed(2021)
classifier = nn.Sequential(nn.Linear(n_neurons, 20), nn.ReLU(), nn.Linear(20, n_bins))
class_loss = train(classifier, nn.CrossEntropyLoss(), resp_train, labels_train,
                   n_epochs=20 if FAST else 50, learning_rate=1e-2)
with torch.no_grad():
    predicted_bins = classifier(resp_test).argmax(dim=1)
accuracy = (predicted_bins == labels_test).float().mean().item()
print(f"test accuracy {accuracy:.0%} (chance {1 / n_bins:.0%})")

plot_decoded_results(class_loss, stimuli_test, predicted_bins, n_classes=n_bins)
plt.show()
