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
# # Tutorial 3: Comparing a CNN with V1 by representational similarity
#
# **Week 2, Day 1: Deep Learning in Neuroscience**
#
# Adapted from the Neuromatch Academy tutorial by Jorge A. Menendez, Yalda Mohsenzadeh and Carsen Stringer
# ([original tutorial](https://compneuro.neuromatch.io/tutorials/W2D1_DeepLearning/student/W2D1_Tutorial3.html)).

# %% [markdown]
# ---
# # Tutorial Objectives
#
# A deep network trained on a task the brain also solves is a **normative** model: nobody fitted it to
# neural data, yet its hidden layers may represent stimuli the way a brain area does. In this tutorial
# you will
# - train a small convolutional network (CNN) to tell whether a grating is tilted to the left or to the right;
# - read its hidden activity with PyTorch *forward hooks*;
# - write the two functions of **representational similarity analysis** (RSA): a representational
#   dissimilarity matrix (RDM) and the correlation between two RDMs;
# - find out which layer of the network looks most like mouse V1, and look at why, with RDM rows, tuning
#   curves and a two-dimensional embedding.

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

# %% tags=["rsa-pipeline"]
# Plotting, data and stimuli, shared by the day's tutorials (in w2d1_helpers.py, next to this notebook)
import matplotlib.pyplot as plt
from w2d1_helpers import (SEED, filters, get_hidden_activity, grating, load_data, plot_multiple_rdm,
                          plot_rdm_rdm_correlations, plot_rdm_rows, plot_training_loss, set_seed,
                          show_stimulus)

# %% [markdown]
# ---
# # Section 1: A network that tells left from right
#
# Video: [Deep convolutional network for orientation discrimination](https://www.youtube.com/watch?v=KlXtKJCpV4I)
#
# ## Section 1.1: The orientation-discrimination task
#
# The network sees a grating and must say whether it is tilted to the **right** (angle from vertical
# above 0) or to the **left** (angle below 0). Mice can learn this task, so a network trained on it is a
# candidate model of their visual cortex. Later we compare it with V1 recordings made with gratings
# like these ([Stringer et al. 2019](https://www.biorxiv.org/content/10.1101/679324v2.abstract)).

# %%
orientations = np.linspace(-90, 90, 5)
fig, axs = plt.subplots(1, len(orientations), figsize=(3 * len(orientations), 2.5))
for ax, ori_example in zip(axs, orientations):
    show_stimulus(grating(ori_example), ax)
    ax.set_title(f"{ori_example:.0f}°")
plt.show()
print("stimulus size (height x width):", tuple(grating(0).shape))

# %% [markdown]
# ## Section 1.2: The network and its training
#
# The network, `CNN`, is given. It has
# 1. a **convolutional layer** `conv` with the 6 filters of Tutorial 2 (centre-surround and Gabors,
#    $7 \times 7$, zero bias), followed by a ReLU;
# 2. a **max-pooling layer** `pool` that keeps the largest value in each $8 \times 8$ patch, so each
#    channel shrinks from $48 \times 64$ to $6 \times 8$: $6 \times 6 \times 8 = 288$ numbers per stimulus;
# 3. a **fully connected layer** `fc` from these 288 numbers to 10 units, followed by a ReLU;
# 4. an **output layer** `out` from 10 units to one number, squashed by a sigmoid into $p$, the
#    probability that the grating is tilted right.
#
# `train` minimises the binary cross-entropy between $p$ and the true label (1 for right, 0 for left),
# $-\left[y \log p + (1 - y) \log(1 - p)\right]$, by stochastic gradient descent with momentum on
# mini-batches of 100 stimuli, as in Tutorial 1 but with `optim.SGD` doing the updates.

# %% tags=["rsa-pipeline"]
class CNN(nn.Module):
    """Tilt classifier: conv -> ReLU -> max pool -> fc -> ReLU -> out -> sigmoid.

    The layers are attributes named conv, pool, fc and out, so forward hooks can find them by name.

    Args:
      h_in, w_in (int): height and width of the input images, in pixels
    """

    def __init__(self, h_in=48, w_in=64):
        super().__init__()
        c_out, K, k_pool = 6, 7, 8
        self.conv = nn.Conv2d(1, c_out, kernel_size=K, padding=K // 2)
        self.pool = nn.MaxPool2d(k_pool)
        self.dims = (c_out, h_in // k_pool, w_in // k_pool)  # 6 x 6 x 8 = 288 values per stimulus
        self.fc = nn.Linear(int(np.prod(self.dims)), 10)
        self.out = nn.Linear(10, 1)
        with torch.no_grad():  # start from Tutorial 2's filters
            self.conv.weight.copy_(filters(c_out, K))
            self.conv.bias.zero_()

    def forward(self, x):
        """Probability that each grating is tilted right.

        Args:
          x (torch.Tensor): p x 48 x 64 stimuli
        Returns:
          torch.Tensor: p x 1 probabilities
        """
        x = x.unsqueeze(1)  # p x 1 x 48 x 64: one input channel
        x = torch.relu(self.conv(x))  # p x 6 x 48 x 64
        x = self.pool(x)  # p x 6 x 6 x 8
        x = x.reshape(x.shape[0], -1)  # p x 288
        x = torch.relu(self.fc(x))  # p x 10
        return torch.sigmoid(self.out(x))  # p x 1


def train(net, train_data, train_labels, n_epochs=25, learning_rate=5e-4, batch_size=100, momentum=0.99):
    """Mini-batch SGD with momentum on the binary cross-entropy loss.

    Args:
      net (nn.Module): network to train, in place
      train_data (torch.Tensor): n x 48 x 64 stimuli
      train_labels (torch.Tensor): n x 1 labels, 1. for tilted right and 0. for tilted left
      n_epochs (int): passes through the training set
      learning_rate, batch_size, momentum: SGD settings
    Returns:
      list of float: the loss of every mini-batch
    """
    loss_fn = nn.BCELoss()
    optimizer = optim.SGD(net.parameters(), lr=learning_rate, momentum=momentum)
    losses = []
    for _ in range(n_epochs):
        order = torch.randperm(train_data.shape[0])  # new random mini-batches each epoch
        for stimuli, labels in zip(torch.split(train_data[order], batch_size),
                                   torch.split(train_labels[order], batch_size)):
            loss = loss_fn(net(stimuli), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def tilt_dataset(n_stimuli):
    """Gratings with orientations drawn uniformly from [-90, 90] degrees, and their tilt labels.

    Returns:
      stimuli (torch.Tensor): n_stimuli x 48 x 64
      labels (torch.Tensor): n_stimuli x 1, 1. if tilted right (orientation > 0) else 0.
      ori (np.ndarray): n_stimuli orientations, in degrees
    """
    ori = (np.random.rand(n_stimuli) - 0.5) * 180
    stimuli = torch.stack([grating(a) for a in ori])
    labels = torch.tensor(ori > 0, dtype=torch.float32).unsqueeze(1)
    return stimuli, labels, ori


# %% [markdown]
# Run the next cell to train the network on 1,000 random gratings for 25 epochs (about 10-20 seconds).

# %% tags=["rsa-pipeline"]
set_seed(SEED)
n_epochs = 1 if os.environ.get("NBGRADER_EXECUTION") else 25  # one epoch when autograded

train_stimuli, train_labels, train_ori = tilt_dataset(1000)
net = CNN()
losses = train(net, train_stimuli, train_labels, n_epochs=n_epochs)

# %%
plot_training_loss(losses)
plt.show()

with torch.no_grad():
    test_stimuli, test_labels, _ = tilt_dataset(200)
    accuracy = ((net(test_stimuli) > 0.5).float() == test_labels).float().mean().item()
print(f"accuracy on 200 new gratings: {accuracy:.1%}")

# %% [markdown]
# ## Section 1.3: V1 responses and the network's hidden activity
#
# `load_data()` returns the mouse V1 responses: a matrix with one row per stimulus orientation (in 1°
# bins from 0° to 360°) and one column per neuron. We keep the orientations up to 180° and subtract 90°,
# so that 0° is vertical, negative angles tilt left and positive angles tilt right, as for the network.
# (Without the original recordings, `load_data()` returns a synthetic population with the same format
# and statistics.)
#
# To compare, we show the network gratings at the same orientations and record what its hidden layers
# do. PyTorch **forward hooks** make this easy: `layer.register_forward_hook(hook)` makes the network
# call `hook(layer, inputs, output)` each time `layer` runs, so the hook can keep a copy of `output`.
# Here is a hook on the `fc` layer, by hand:

# %%
recorded = {}


def keep_output(layer, inputs, output):
    recorded["fc"] = output.detach()


handle = net.fc.register_forward_hook(keep_output)
with torch.no_grad():
    net(torch.stack([grating(-45), grating(45)]))
handle.remove()  # remove hooks you no longer need, or they fire on every call
print("fc activity for -45° and +45°:", tuple(recorded["fc"].shape))

# %% [markdown]
# The helper `get_hidden_activity(net, stimuli, layer_labels)` does the same for several layers at once
# and returns a dict from layer name to a (stimuli x units) NumPy array. We record two layers:
# - `'pool'`: the output of the convolutional layer after ReLU and max pooling (288 units);
# - `'fc'`: the output of the fully connected layer (10 units; the hook sees it before the ReLU).

# %% tags=["rsa-pipeline"]
resp_all, stimuli_all = load_data()
keep = stimuli_all[:, 0] <= 180
resp_v1 = resp_all[keep].numpy()  # stimuli x neurons
ori = stimuli_all[keep, 0].numpy() - 90  # degrees: 0 vertical, < 0 tilted left, > 0 tilted right

v1_gratings = torch.stack([grating(a) for a in ori])
resp_model = get_hidden_activity(net, v1_gratings, ["pool", "fc"])

resp_dict = {"V1 data": resp_v1,
             "model 'pool' layer": resp_model["pool"],
             "model 'fc' layer": resp_model["fc"]}

# %%
for label, resp in resp_dict.items():
    print(f"{label:20s} {resp.shape[0]} stimuli x {resp.shape[1]} units")

# %% [markdown]
# ---
# # Section 2: Comparing representations with RSA
#
# Video: [Quantitative comparisons of CNNs and neural activity](https://www.youtube.com/watch?v=2Jbk7jFBvbU)
#
# V1 has thousands of neurons, the `'fc'` layer 10 units: we cannot compare them unit by unit. RSA
# compares *how each population tells stimuli apart* instead
# ([Kriegeskorte et al. 2008](https://www.frontiersin.org/articles/10.3389/neuro.06.004.2008/full)).
# If two stimuli evoke similar responses in V1 and similar activity in a layer, and dissimilar ones
# dissimilar activity, the two representations share their geometry, whatever their units.
#
# ## Section 2.1: Representational dissimilarity matrices
#
# For responses $\mathbf{r}^{(s)}$ of $N$ units to $S$ stimuli, the RDM $\mathbf{M}$ is the
# $S \times S$ matrix of
#
# $$M_{ss'} = 1 - \rho\left(\mathbf{r}^{(s)}, \mathbf{r}^{(s')}\right),$$
#
# where $\rho$ is the Pearson correlation across units. $M_{ss'}$ is 0 for identical response patterns,
# 1 for uncorrelated ones and 2 for opposite ones. The correlation ignores the overall level and scale
# of each response pattern.
#
# A fast way to compute it: $z$-score each row (each stimulus) across units,
#
# $$z^{(s)}_i = \frac{r^{(s)}_i - \mu^{(s)}}{\sigma^{(s)}}, \qquad
#   \mu^{(s)} = \frac{1}{N}\sum_{i=1}^N r^{(s)}_i, \qquad
#   \sigma^{(s)} = \sqrt{\frac{1}{N}\sum_{i=1}^N \left(r^{(s)}_i - \mu^{(s)}\right)^2},$$
#
# and then $\rho(\mathbf{r}^{(s)}, \mathbf{r}^{(s')}) = \frac{1}{N} \mathbf{z}^{(s)} \cdot \mathbf{z}^{(s')}$, so
#
# $$\mathbf{M} = 1 - \frac{1}{N} \mathbf{Z} \mathbf{Z}^\top,$$
#
# with $\mathbf{Z}$ the $S \times N$ matrix of $z$-scored rows.

# %% [markdown]
# ### Exercise 1: `RDM`
#
# Complete `RDM(resp)` for an $S \times N$ matrix of responses (stimuli in rows, units in columns). It
# must return an $S \times S$ NumPy array (a torch tensor is accepted too). `resp` may be a NumPy array
# or a torch tensor: `np.asarray(resp, dtype=float)` turns either into a float NumPy array.
#
# If a stimulus evokes the same response in every unit, its row has no variance and its correlation with
# any other row is undefined. Your RDM should then hold NaN in that row and column, as `np.corrcoef`,
# `scipy.spatial.distance.pdist` and `rsatoolbox` do (the row's own diagonal entry may be 0 or NaN). The
# formula gives this for free, since $0 / 0$ is NaN (NumPy warns about it, which is fine).

# %% nbgrader={"grade": false, "grade_id": "rdm", "locked": false, "schema_version": 3, "solution": true}
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t]): symmetric, zero diagonal,
        values in [0, 2]. A constant row (zero variance) gives NaN in its row and column.
    """
    ### BEGIN SOLUTION
    resp = np.asarray(resp, dtype=np.float64)
    zresp = (resp - resp.mean(axis=1, keepdims=True)) / resp.std(axis=1, keepdims=True)
    return 1 - zresp @ zresp.T / resp.shape[1]
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_rdm", "locked": true, "points": 1, "schema_version": 3, "solution": false}
def _to_numpy(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


_resp = np.array([[1., 2., 3., 4.],
                  [2., 4., 6., 9.],
                  [4., 3., 2., 1.]])  # 3 stimuli x 4 units
_rdm = RDM(_resp)
assert isinstance(_rdm, (np.ndarray, torch.Tensor)), \
    f"RDM should return a NumPy array (or a torch tensor), not {type(_rdm).__name__}"
_rdm = _to_numpy(_rdm)
assert _rdm.shape == (3, 3), \
    f"3 stimuli x 4 units should give a 3 x 3 RDM, got {_rdm.shape}: correlate the rows (stimuli), not the columns"
assert np.allclose(np.diag(_rdm), 0, atol=1e-6), \
    "the diagonal should be 0: each response pattern is perfectly correlated with itself"
assert np.allclose(_rdm, _rdm.T), "the RDM should be symmetric"
assert np.isclose(_rdm[0, 2], 2), \
    "rows 0 and 2 are perfectly anti-correlated (r = -1), so their dissimilarity 1 - r should be 2"
assert np.isclose(_rdm[0, 1], 0.0056, atol=1e-4), \
    "rows 0 and 1 are almost proportional (r = 0.9944), so their dissimilarity should be 1 - 0.9944 = 0.0056"
assert np.allclose(_to_numpy(RDM(10 * _resp - 3)), _rdm), \
    "scaling and shifting all responses should not change the RDM: z-score each row across units"
assert _to_numpy(RDM(np.random.default_rng(0).normal(size=(6, 40)))).shape == (6, 6), \
    "6 stimuli x 40 units should give a 6 x 6 RDM"
assert np.allclose(_to_numpy(RDM(torch.tensor(_resp))), _rdm), \
    "RDM should give the same result for a torch tensor as for a NumPy array (note: torch's std divides by N - 1)"
print("RDM passed the public tests")

# %% [markdown]
# Now the RDMs of V1 and of the two layers. The rows and columns are the stimuli, ordered by orientation
# from -90° (top, left) to +90° (bottom, right).

# %%
rdm_dict = {label: RDM(resp) for label, resp in resp_dict.items()}
plot_multiple_rdm(rdm_dict)
plt.show()

# %% [markdown]
# Video: [The RDM exercise, discussed](https://www.youtube.com/watch?v=otzR-KXDjus)
#
# ### Think! 1: What do the RDMs show?
#
# 1. In the V1 RDM, which stimuli evoke similar responses? What about stimuli at -90° and +90°?
# 2. How does the `'fc'` RDM differ from the other two? Why would training for this task produce it?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_1_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# 1. In V1, stimuli with similar orientations evoke similar responses: the RDM is small near its diagonal
#    and grows with the difference in orientation. Gratings at -90° and +90° are the same image (a
#    horizontal grating), and V1 responds to them alike, so the corners of the RDM are small too: V1
#    represents orientation as a circle. The contrast is low because single 1° bins are noisy, which
#    makes every pair of V1 responses fairly dissimilar; the RDM rows in Section 2.3 show the structure
#    more clearly.
# 2. The `'fc'` RDM has two blocks: all left-tilted stimuli are similar to each other, all right-tilted
#    ones too, and the two groups are very dissimilar. The network was trained only to tell left from
#    right, so its last hidden layer keeps the tilt category and drops most other information about the
#    orientation. The `'pool'` layer, close to the image, still changes gradually with orientation, like V1.
# ### END SOLUTION

# %% [markdown]
# ## Section 2.2: How similar are two RDMs?
#
# To measure how alike two representations are, we correlate their RDMs. An RDM is symmetric
# ($M_{ss'} = M_{s's}$), so each pair of stimuli should count once: use only the entries above the
# diagonal. The diagonal itself is 0 in every RDM; keeping it would add the same points to both and
# inflate the correlation.
#
# ### Exercise 2: `correlate_rdms`
#
# Complete `correlate_rdms(rdm1, rdm2)`: the Pearson correlation between the entries of `rdm1` and
# `rdm2` above the diagonal, as one number (a Python or NumPy float, not an array or a tensor). The RDMs
# may be NumPy arrays or torch tensors, since an `RDM` may return either.
# `np.triu_indices(S, k=1)` gives the row and column indices of the entries above the diagonal of an
# $S \times S$ matrix.

# %% nbgrader={"grade": false, "grade_id": "correlate_rdms", "locked": false, "schema_version": 3, "solution": true}
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray or torch.Tensor): S x S representational dissimilarity matrix
      rdm2 (np.ndarray or torch.Tensor): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    ### BEGIN SOLUTION
    rdm1 = np.asarray(rdm1, dtype=np.float64)
    rdm2 = np.asarray(rdm2, dtype=np.float64)
    upper = np.triu_indices(rdm1.shape[0], k=1)
    return float(np.corrcoef(rdm1[upper], rdm2[upper])[0, 1])
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_correlate_rdms", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_rdm_a = np.array([[0., 1., 2., 3.],
                   [1., 0., 4., 5.],
                   [2., 4., 0., 6.],
                   [3., 5., 6., 0.]])  # entries above the diagonal: 1, 2, 3, 4, 5, 6
_rdm_b = 2 * _rdm_a + 1 - np.eye(4)  # above the diagonal: 2 x (those of _rdm_a) + 1; diagonal 0
for _r in [correlate_rdms(_rdm_a, _rdm_b), correlate_rdms(torch.tensor(_rdm_a), torch.tensor(_rdm_b))]:
    assert isinstance(_r, (float, np.floating)) or (isinstance(_r, np.ndarray) and _r.ndim == 0), \
        f"correlate_rdms should return one number (a float), not {type(_r).__name__}, for arrays and for tensors"
    assert np.isclose(_r, 1), \
        "the entries above the diagonal are linearly related, so r should be 1: take Pearson's r (np.corrcoef, " \
        "not a covariance or an uncentred cosine) of the entries above the diagonal only"
assert np.isclose(correlate_rdms(_rdm_a, 10 - _rdm_a - 10 * np.eye(4)), -1), \
    "RDMs whose entries above the diagonal decrease where the other's increase should give r = -1"
assert np.isclose(correlate_rdms(_rdm_a, _rdm_a ** 2), 0.9789, atol=1e-4), \
    "1..6 against their squares should give the Pearson r 0.9789 (Spearman's rank correlation would give 1)"
print("correlate_rdms passed the public tests")

# %% [markdown]
# How much does each layer's RDM resemble V1's?

# %%
rdm_v1 = rdm_dict["V1 data"]
rdm_sim = {label: correlate_rdms(rdm_v1, rdm) for label, rdm in rdm_dict.items() if label != "V1 data"}
for label, r in rdm_sim.items():
    print(f"{label:20s} correlation with the V1 RDM: {r:.3f}")

plot_rdm_rdm_correlations(rdm_sim)
plt.show()


# %% [markdown]
# The `'fc'` RDM's two blocks stand for the two tilt categories. Compare the mean dissimilarity between
# a left- and a right-tilted stimulus with the mean dissimilarity within a category:

# %%
def category_dissimilarity(rdm, ori):
    """Mean dissimilarity within tilt categories and between them (vertical stimuli left out)."""
    left, right = ori < 0, ori > 0
    within = (np.nanmean(rdm[np.ix_(left, left)]) + np.nanmean(rdm[np.ix_(right, right)])) / 2
    between = np.nanmean(rdm[np.ix_(left, right)])
    return within, between


for label, rdm in rdm_dict.items():
    within, between = category_dissimilarity(rdm, ori)
    print(f"{label:20s} within a category {within:.3f}   between categories {between:.3f}")

# %% [markdown]
# ### Think! 2: Which layer is most like V1?
#
# 1. Which layer resembles V1 most? Does it match what you saw in the RDMs?
# 2. What would `correlate_rdms` return if it kept the diagonal, and why would that be misleading?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_2_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# 1. The `'pool'` layer's RDM correlates more with V1's than the `'fc'` layer's does. Both V1 and the
#    `'pool'` layer change gradually with orientation, while the `'fc'` layer mostly encodes the tilt
#    category, which V1 does not single out. The within/between numbers say the same: the `'fc'` layer
#    separates the categories far more than V1 and `'pool'` do.
# 2. The diagonal is 0 in every RDM. Keeping it adds $S$ identical points (0, 0) to the scatter of one
#    RDM against the other, far from the cloud of off-diagonal values, and this raises the correlation
#    for any pair of RDMs, even unrelated ones. Keeping both triangles would count every pair twice,
#    which does not change Pearson's r but makes it look as if we had twice the data.
# ### END SOLUTION

# %% [markdown]
# ## Section 2.3: RDM rows
#
# One row of an RDM is the dissimilarity of every stimulus to one stimulus. Here are rows for four
# orientations, for V1 and both layers:

# %%
plot_rdm_rows([-75, -25, 25, 75], rdm_dict, ori)
plt.show()

# %% [markdown]
# ---
# # Section 3: Looking inside the representations
#
# ## Section 3.1: Tuning curves
#
# A tuning curve is the response of one neuron (or unit) as a function of the stimulus orientation. A
# single neuron's response in a 1° bin is noisy, so for V1 we also draw its average over a sliding 10°
# window (orientation is circular: the window wraps from +90° to -90°), and pick three of the 5% most
# strongly tuned neurons. For the network we pick three random units. Change the seed to see others.

# %%
def circular_smooth(resp, width=10):
    """Average each column of resp (stimuli x units, stimuli covering 180 degrees) over `width` neighbours."""
    total = np.zeros(resp.shape)
    for shift in np.arange(width) - width // 2:  # one shifted copy at a time: V1 data is 360 x 23589
        total += np.roll(resp, shift, axis=0)
    return total / width


rng = np.random.default_rng(2021)
v1_smooth = circular_smooth(resp_v1)
n_top = resp_v1.shape[1] // 20
strongly_tuned = np.argsort(v1_smooth.var(axis=0))[-n_top:]  # largest variance of the smoothed curve

fig, axs = plt.subplots(1, len(resp_dict), figsize=(5 * len(resp_dict), 3.5))
for ax, (label, resp) in zip(axs, resp_dict.items()):
    if label == "V1 data":
        units = rng.choice(strongly_tuned, size=3, replace=False)
        for unit, color in zip(units, ["C0", "C1", "C2"]):
            ax.plot(ori, resp[:, unit], color=color, alpha=0.3, linewidth=1)
            ax.plot(ori, v1_smooth[:, unit], color=color, linewidth=2)
    else:
        ax.plot(ori, resp[:, rng.choice(resp.shape[1], size=3, replace=False)])
    ax.set_title(label)
    ax.set_xticks(np.linspace(-90, 90, 5))
    ax.set_xlabel("stimulus orientation (°)")
axs[0].set_ylabel("response")
plt.tight_layout()
plt.show()


# %% [markdown]
# ## Section 3.2: A two-dimensional picture of each representation
#
# An RDM holds the geometry of a representation, and **classical multidimensional scaling** (MDS) draws
# it: it places the stimuli as points in the plane so that their distances match the dissimilarities as
# well as possible. With $\mathbf{J} = \mathbf{I} - \frac{1}{S}\mathbf{1}\mathbf{1}^\top$, the matrix
# $\mathbf{B} = -\frac{1}{2}\mathbf{J}\mathbf{M}\mathbf{J}$ has the coordinates in its top eigenvectors,
# each scaled by the square root of its eigenvalue. (We use the RDM as *squared* distances: $1 - \rho$ is
# proportional to the squared Euclidean distance between $z$-scored rows, so this is the same as principal
# component analysis of the $z$-scored responses.)

# %%
def classical_mds(rdm, n_components=2):
    """Coordinates (S x n_components) whose squared distances best match the S x S dissimilarities."""
    S = rdm.shape[0]
    J = np.eye(S) - np.ones((S, S)) / S
    B = -0.5 * J @ np.nan_to_num(np.asarray(rdm, dtype=float)) @ J
    eigvals, eigvecs = np.linalg.eigh(B)  # ascending order
    top = np.argsort(eigvals)[::-1][:n_components]
    return eigvecs[:, top] * np.sqrt(np.clip(eigvals[top], 0, None))


fig, axs = plt.subplots(1, len(rdm_dict), figsize=(5 * len(rdm_dict), 4))
for ax, (label, rdm) in zip(axs, rdm_dict.items()):
    xy = classical_mds(rdm)
    points = ax.scatter(xy[:, 0], xy[:, 1], c=ori, cmap="twilight", vmin=-90, vmax=90, s=12)
    ax.set_title(label)
    ax.set_xlabel("dimension 1")
    ax.set_ylabel("dimension 2")
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(points, ax=axs, ticks=np.linspace(-90, 90, 5), label="stimulus orientation (°)")
plt.show()

# %% [markdown]
# ### Think! 3: Reading the embeddings
#
# 1. How do the tuning curves of V1 neurons and of the network's units differ?
# 2. What shape do the V1 stimuli form in the plane, and why? And the `'fc'` layer's?
# 3. Putting it together: which layer is the better model of V1, and what does that say about the task
#    the network was trained on?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_3_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# 1. V1 neurons have smooth, bell-shaped tuning around a preferred orientation (with a second peak
#    180° away, so -90° and +90° look alike). The `'pool'` units respond to several orientations with
#    more irregular curves, because each pools a Gabor or centre-surround filter over a patch of a square
#    wave grating. The `'fc'` units mostly step between one level for left tilts and another for right
#    tilts.
# 2. The V1 stimuli lie on a ring ordered by orientation, with -90° next to +90°: nearby orientations
#    evoke similar responses and orientation is circular. The `'pool'` layer gives a bumpier version of
#    the same ring. The `'fc'` layer folds the ring: left-tilted and right-tilted stimuli lie on two
#    separate arms, one per category, that meet only where the category is ambiguous, near 0° and ±90°.
# 3. The `'pool'` layer is the better model of V1: it still represents orientation in detail, while the
#    `'fc'` layer keeps only what the left/right task needs. A network trained on a richer task (e.g.
#    estimating the orientation itself, or recognising objects) might keep more of V1's structure in
#    its deeper layers; the task shapes the representation.
# ### END SOLUTION

# %% [markdown]
# ---
# # Summary
#
# - We trained a small CNN, initialised with Tutorial 2's filters, to tell left from right tilts, and
#   recorded its hidden activity with forward hooks.
# - An RDM, $1 - $ the correlation between the responses to each pair of stimuli, describes a
#   representation's geometry independently of its units, so a network layer can be compared with
#   thousands of neurons.
# - Correlating the RDMs' upper triangles showed that the layer closest to the image (`'pool'`) resembles
#   V1 more than the layer closest to the decision (`'fc'`), whose representation is shaped by the
#   left/right task.
# - RDM rows, tuning curves and an MDS embedding of the RDM show why: V1 and `'pool'` represent
#   orientation as a ring, `'fc'` as two categories.
