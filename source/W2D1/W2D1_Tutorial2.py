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
# # Tutorial 2: Convolutional neural networks
#
# **Week 2, Day 1: Deep Learning in Neuroscience**
#
# Adapted from the Neuromatch Academy tutorial by Jorge A. Menendez and Carsen Stringer
# ([original tutorial](https://compneuro.neuromatch.io/tutorials/W2D1_DeepLearning/student/W2D1_Tutorial2.html)).

# %% [markdown]
# ---
# # Tutorial Objectives
#
# Convolutional networks are today's best models of the visual system, and their building block is
# the convolutional layer. In this tutorial you will
# - learn what a 2-D convolution computes, and how padding and stride set the size of its output;
# - write a 2-D convolution yourself, `conv2d`, and check it against PyTorch;
# - build a convolutional layer with PyTorch, give it centre-surround and Gabor filters, and look at
#   how it responds to gratings;
# - count its parameters and compare them with a fully connected layer.
#
# In Tutorial 3 you will train a network that starts with this layer.

# %% [markdown]
# ---
# # Setup

# %% tags=["setup"] deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup_imports", "locked": true, "schema_version": 3, "solution": false}
# Imports
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

# %%
# Plotting and stimuli, shared by the day's tutorials (w2d1_helpers.py sits next to this notebook)
import matplotlib.pyplot as plt
from w2d1_helpers import filters, grating, plot_example_activations, plot_weights, show_stimulus

# %% [markdown]
# ---
# # Section 1: What is a 2-D convolution?
#
# Video: [2D Convolutions](https://www.youtube.com/watch?v=zgO9rHYbDxE)
#
# A 2-D convolution slides a small grid of weights, the **kernel** or **filter** $f$ of size
# $K_H \times K_W$, over an image $I$. At each position it multiplies the kernel with the pixels under it
# and adds the products up:
#
# $$C(y, x) = \sum_{i=0}^{K_H-1} \sum_{j=0}^{K_W-1} f(i, j)\, I(y + i,\ x + j)$$
#
# Strictly speaking this formula is a **cross-correlation**. The convolution of mathematics and signal
# processing flips the kernel first, $\sum_{i,j} f(i, j)\, I(y - i,\ x - j)$. Deep-learning libraries
# (`torch.nn.functional.conv2d`, `nn.Conv2d`) compute the cross-correlation and still call it a
# convolution: the kernel is learned, so a network can just as well learn the flipped kernel. In this
# course "convolution" means the formula above, as in PyTorch.
#
# A small example: with
# $I = \begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \\ 7 & 8 & 9 \end{pmatrix}$ and
# $f = \begin{pmatrix} 1 & 0 \\ 0 & -1 \end{pmatrix}$, every output is
# $C(y, x) = I(y, x) - I(y + 1, x + 1)$, so
# $C = \begin{pmatrix} -4 & -4 \\ -4 & -4 \end{pmatrix}$ (the flipped kernel would give $+4$).
# The output is smaller than the image: a $2 \times 2$ kernel fits in a $3 \times 3$ image at only
# $2 \times 2$ positions.

# %% [markdown]
# ## Section 1.1: Channels, padding and stride
#
# In a network, images come in batches and have **channels** (3 for a colour image, 1 for our gray
# gratings), and a layer applies several kernels at once, one per **output channel**. PyTorch's shapes:
# - input `x`: $(N, C_{in}, H, W)$, a batch of $N$ images;
# - weights: $(C_{out}, C_{in}, K_H, K_W)$: output channel $o$ has one $K_H \times K_W$ kernel per input channel;
# - bias: $(C_{out},)$, one number per output channel;
# - output: $(N, C_{out}, H_{out}, W_{out})$.
#
# Output channel $o$ sums the cross-correlations over all input channels, then adds its bias:
#
# $$\text{out}[n, o, y, x] = b[o] + \sum_{c=0}^{C_{in}-1} \sum_{i=0}^{K_H-1} \sum_{j=0}^{K_W-1}
#   w[o, c, i, j]\; x_{\text{pad}}[n, c,\ y S_H + i,\ x S_W + j]$$
#
# - **Padding** $P_H, P_W$: $x_{\text{pad}}$ is $x$ with $P_H$ rows of zeros added at the top *and* at
#   the bottom, and $P_W$ columns of zeros on the left *and* on the right.
# - **Stride** $S_H, S_W$: the kernel moves $S_H$ rows (or $S_W$ columns) at a time instead of 1.
#
# PyTorch accepts one number for both directions (`stride=2`) or a pair `(height, width)`
# (`stride=(2, 1)`); the same holds for `padding`. Counting the positions where the kernel fits gives the
# output size:
#
# $$H_{out} = \left\lfloor \frac{H + 2 P_H - K_H}{S_H} \right\rfloor + 1, \qquad
#   W_{out} = \left\lfloor \frac{W + 2 P_W - K_W}{S_W} \right\rfloor + 1$$
#
# With an odd kernel size $K$, stride 1 and padding $K/\!/2$ the output has the size of the input
# ("same" padding), which is what the layer in Section 2 uses. Let's check the formula against PyTorch
# on a $48 \times 64$ image, the size of our gratings:

# %%
def conv_output_size(size, kernel, padding=0, stride=1):
    """Number of kernel positions along one dimension."""
    return (size + 2 * padding - kernel) // stride + 1


image = torch.zeros(1, 1, 48, 64)
for K, P, S in [(7, 0, 1), (7, 3, 1), (7, 3, 2), (4, 1, 3)]:
    torch_shape = tuple(F.conv2d(image, torch.zeros(1, 1, K, K), padding=P, stride=S).shape[-2:])
    formula = (conv_output_size(48, K, P, S), conv_output_size(64, K, P, S))
    print(f"K={K} padding={P} stride={S}: PyTorch {torch_shape}, formula {formula}")

# %% [markdown]
# ## Exercise 1: `conv2d` from scratch
#
# Write `conv2d(x, weight, bias=None, stride=1, padding=0)`, which must return the same result as
# `torch.nn.functional.conv2d(x, weight, bias, stride=stride, padding=padding)`: batches, several input
# and output channels, an optional bias, non-square kernels, and stride and padding given as one number
# or as a pair `(height, width)`.
#
# Do not call a library convolution (`F.conv2d`, `nn.Conv2d`, transposed convolutions, numpy or scipy
# `convolve`/`correlate`, FFTs): the grader checks. Slicing, `F.pad`, `torch.einsum` and `unfold` are fine.
#
# A fast way to do it:
# 1. turn `stride` and `padding` into pairs, and compute $H_{out}$ and $W_{out}$;
# 2. pad the input with zeros on all four sides: `F.pad(x, (P_W, P_W, P_H, P_H))` pads the last
#    dimension by the first two numbers and the one before by the next two;
# 3. loop over the kernel offsets `(i, j)` only. Kernel entry `(i, j)` meets the padded pixels
#    `x_pad[:, :, i + S_H * y, j + S_W * x]` for all output positions at once, a strided slice of
#    shape $(N, C_{in}, H_{out}, W_{out})$. Multiply it by `weight[:, :, i, j]` (shape $(C_{out}, C_{in})$),
#    sum over the input channels (`torch.einsum("nchw,oc->nohw", ...)` does both) and add it to the output;
# 4. add the bias, reshaped so it broadcasts over the channel dimension.
#
# This loops $K_H \times K_W$ times instead of once per output pixel, so it is quick enough for whole
# batches of images. Build the result with torch operations on the inputs (no `.numpy()`, `.item()` or
# `.detach()`), so that gradients can flow through it, as they must in a network.

# %% nbgrader={"grade": false, "grade_id": "conv2d", "locked": false, "schema_version": 3, "solution": true}
def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D convolution (cross-correlation) of a batch of images, like torch.nn.functional.conv2d.

    Args:
      x (torch.Tensor): input images, shape (N, C_in, H, W)
      weight (torch.Tensor): kernels, shape (C_out, C_in, KH, KW)
      bias (torch.Tensor or None): shape (C_out,); bias[o] is added to every value of output channel o
      stride (int or tuple of 2 ints): step of the kernel, one value for both directions or (SH, SW)
      padding (int or tuple of 2 ints): zeros added on each side, one value for both directions or (PH, PW)

    Returns:
      torch.Tensor: shape (N, C_out, H_out, W_out), same dtype as x, with
        H_out = (H + 2 * PH - KH) // SH + 1 and W_out = (W + 2 * PW - KW) // SW + 1
    """
    ### BEGIN SOLUTION
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = (h + 2 * ph - kh) // sh + 1
    w_out = (w + 2 * pw - kw) // sw + 1
    x_pad = F.pad(x, (pw, pw, ph, ph))
    out = x.new_zeros((n, c_out, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            # the padded pixels that kernel entry (i, j) meets, at every output position
            patch = x_pad[:, :, i:i + sh * (h_out - 1) + 1:sh, j:j + sw * (w_out - 1) + 1:sw]
            out = out + torch.einsum("nchw,oc->nohw", patch, weight[:, :, i, j])
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_conv2d", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from unittest import mock

# A small worked case: every output is x[y, x] - x[y + 1, x + 1] = -5
x = torch.arange(16.0).reshape(1, 1, 4, 4)
w = torch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]])
out = conv2d(x, w)
assert isinstance(out, torch.Tensor), f"conv2d should return a torch.Tensor, not {type(out).__name__}"
assert out.shape == (1, 1, 3, 3), f"a 4x4 image and a 2x2 kernel give a 3x3 output; your shape is {tuple(out.shape)}"
assert torch.allclose(out, torch.full((1, 1, 3, 3), -5.0)), (
    "for this kernel every output should be x[y, x] - x[y+1, x+1] = -5; +5 means the kernel was flipped "
    "(compute the cross-correlation, as in the formula above)")
assert torch.allclose(conv2d(x, w, bias=torch.tensor([1.0])), torch.full((1, 1, 3, 3), -4.0)), (
    "add bias[o] to every value of output channel o")
out = conv2d(x, w, padding=1)
assert out.shape == (1, 1, 5, 5), f"padding=1 adds zeros on every side, so 4x4 gives 5x5 here; your shape is {tuple(out.shape)}"
assert out[0, 0, 0, 1] == -1 and out[0, 0, 4, 4] == 15, (
    "with padding=1 the border outputs mix zeros and image pixels; pad the top and the bottom, the left and the right")
assert conv2d(x, w, stride=2).shape == (1, 1, 2, 2), "stride=2 moves the kernel 2 pixels at a time: 4x4 gives 2x2 here"
assert conv2d(x, w, stride=(1, 3)).shape == (1, 1, 3, 1), "stride=(1, 3) means stride 1 down the rows and 3 across the columns"

# Against PyTorch: a batch, 3 input and 4 output channels, a 3x2 kernel, bias, stride and padding
g = torch.Generator().manual_seed(0)
x, w, b = torch.randn(2, 3, 7, 9, generator=g), torch.randn(4, 3, 3, 2, generator=g), torch.randn(4, generator=g)
for kwargs in [{}, {"stride": 2, "padding": 1}, {"stride": (2, 1), "padding": (0, 2)}]:
    got, want = conv2d(x, w, b, **kwargs), F.conv2d(x, w, b, **kwargs)
    assert got.shape == want.shape, f"conv2d(x, w, b, **{kwargs}) has shape {tuple(got.shape)}, F.conv2d {tuple(want.shape)}"
    assert torch.allclose(got, want, atol=1e-4), f"conv2d(x, w, b, **{kwargs}) differs from F.conv2d"


def refuse_library_convolution(*args, **kwargs):
    raise AssertionError("conv2d must compute the convolution itself, without F.conv2d, nn.Conv2d "
                         "or another library convolution")


with mock.patch.object(F, "conv2d", refuse_library_convolution), \
        mock.patch.object(torch, "conv2d", refuse_library_convolution):
    conv2d(x, w, b, stride=(2, 1), padding=(0, 2))
print("conv2d passed the public tests")

# %% [markdown]
# Your `conv2d` is the operation inside every convolutional layer. Flipping the kernel turns it into
# the textbook convolution: for a symmetric kernel nothing changes, for other kernels the result does.

# %%
image = grating(30).reshape(1, 1, 48, 64) - 0.5
symmetric = torch.ones(1, 1, 3, 3)
asymmetric = torch.tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])  # a vertical-edge detector
for name, kernel in [("symmetric", symmetric), ("asymmetric", asymmetric)]:
    cross_correlation = conv2d(image, kernel, padding=1)
    convolution = conv2d(image, kernel.flip(-2, -1), padding=1)
    same = torch.allclose(cross_correlation, convolution)
    print(f"{name} kernel: convolution equals cross-correlation? {same}")

# %% [markdown]
# ---
# # Section 2: Convolutional layers in PyTorch
#
# In Tutorial 1 fully connected layers decoded orientation from neural activity. A convolutional layer
# differs from a fully connected one in two ways:
# - **local receptive fields**: each unit sums over a small patch of the input (the kernel's
#   $K \times K$ pixels), not over the whole input;
# - **weight sharing**: all units of one output channel use the same kernel, at different positions.
#
# Both cut the number of parameters; you will count them in the Think! below. Both also resemble the
# visual system: retinal ganglion cells and V1 simple cells respond to a small part of the visual
# field, and cells of one type tile the whole field.
#
# Our stimuli are the gratings that the mice in Tutorial 1 saw (Stringer et al., 2021), as $48 \times 64$
# images. We centre them on zero, so black is $-0.5$ and white $+0.5$:

# %%
orientations = [-90, -45, 0, 45, 90]
stimuli = torch.stack([grating(ori) - 0.5 for ori in orientations]).unsqueeze(1)  # (5, 1, 48, 64)
print("stimuli:", tuple(stimuli.shape))

fig, axs = plt.subplots(1, len(orientations), figsize=(12, 2.5))
for ax, ori, stimulus in zip(axs, orientations, stimuli):
    show_stimulus(stimulus[0], ax=ax)
    ax.set_title(f"{ori}$^o$")
plt.show()

# %% [markdown]
# A layer of convolutional channels is one line of PyTorch:
# `nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)`. Its weights are `conv.weight`, of
# shape $(C_{out}, C_{in}, K, K)$, and its biases `conv.bias`, of shape $(C_{out},)$; both are
# `nn.Parameter`s, the tensors an optimiser trains.
#
# Instead of random weights we will use filters like those of the early visual system: two
# **centre-surround** filters (a difference of Gaussians, like retinal ganglion cells, and its negative)
# and four **Gabor** filters at different orientations (like V1 simple cells). We subtract each filter's
# mean, so that a uniform patch of the image gives no response.

# %%
K = 7  # filter size
out_channels = 6  # number of filters
example_filters = filters(out_channels=out_channels, K=K)  # (6, 1, 7, 7)
example_filters = example_filters - example_filters.mean(dim=(2, 3), keepdim=True)

fig, axs = plt.subplots(1, 2, figsize=(6, 3))
for ax, channel, title in zip(axs, [0, 4], ["centre-surround filter", "Gabor filter"]):
    ax.imshow(example_filters[channel, 0], vmin=-1, vmax=1, cmap="bwr")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Exercise 2: a convolutional layer
#
# Complete `ConvolutionalLayer`. Its attribute `conv` is an `nn.Conv2d` from `c_in` to `c_out` channels
# with $K \times K$ filters, padding `K // 2` and stride 1, so the output has the size of the input.
# When `filters` is given, the layer uses them as its weights and sets its bias to zero; weights and bias
# must stay trainable parameters of the layer. Hint: wrap new values in `nn.Parameter(...)` before you
# assign them to `self.conv.weight` or `self.conv.bias`, or copy them into the existing parameters under
# `torch.no_grad()`.

# %% nbgrader={"grade": false, "grade_id": "conv_layer", "locked": false, "schema_version": 3, "solution": true}
class ConvolutionalLayer(nn.Module):
    """One convolutional layer: c_out filters of size K x K, padding K // 2, stride 1.

    Attributes:
      conv (nn.Conv2d): c_in -> c_out channels, kernel K x K, padding K // 2, stride 1
    """

    def __init__(self, c_in=1, c_out=6, K=7, filters=None):
        """Build the layer.

        Args:
          c_in (int): number of input channels
          c_out (int): number of output channels (filters)
          K (int): filter size (odd)
          filters (torch.Tensor or None): shape (c_out, c_in, K, K); when given, they become the
            layer's weights and its bias (shape (c_out,)) is set to zero
        """
        super().__init__()
        ### BEGIN SOLUTION
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=K, padding=K // 2, stride=1)
        if filters is not None:
            self.conv.weight = nn.Parameter(filters.detach().clone())
            self.conv.bias = nn.Parameter(torch.zeros(c_out, dtype=filters.dtype))
        ### END SOLUTION

    def forward(self, s):
        """Run stimuli through the layer.

        Args:
          s (torch.Tensor): stimuli, shape (N, c_in, H, W)

        Returns:
          torch.Tensor: activations, shape (N, c_out, H, W)
        """
        ### BEGIN SOLUTION
        return self.conv(s)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test_conv_layer", "locked": true, "points": 1, "schema_version": 3, "solution": false}
g = torch.Generator().manual_seed(1)
test_filters = torch.randn(6, 1, 7, 7, generator=g)
layer = ConvolutionalLayer(c_in=1, c_out=6, K=7, filters=test_filters)
assert isinstance(layer.conv, nn.Conv2d), "self.conv should be an nn.Conv2d"
assert layer.conv.weight.shape == (6, 1, 7, 7) and torch.equal(layer.conv.weight.detach(), test_filters), (
    "when filters are given, self.conv.weight should equal them")
assert layer.conv.bias is not None and layer.conv.bias.shape == (6,) and torch.all(layer.conv.bias == 0), (
    "when filters are given, self.conv.bias should be zeros, one per output channel")
params = list(layer.parameters())
assert len(params) == 2 and all(isinstance(p, nn.Parameter) and p.requires_grad for p in params), (
    "the layer should have two trainable parameters, conv.weight and conv.bias")
s = torch.randn(3, 1, 12, 16, generator=g)
a = layer(s)
assert a.shape == (3, 6, 12, 16), f"padding K // 2 and stride 1 keep the image size; your output shape is {tuple(a.shape)}"
assert torch.allclose(a, F.conv2d(s, test_filters, padding=3), atol=1e-5), (
    "forward should return the output of self.conv for the stimuli")
assert ConvolutionalLayer(c_in=2, c_out=3, K=5)(torch.zeros(1, 2, 9, 11)).shape == (1, 3, 9, 11), (
    "without filters the layer keeps nn.Conv2d's own weights; check c_in, c_out, K and padding K // 2")
print("ConvolutionalLayer passed the public tests")

# %% [markdown]
# Now let's run the layer on the gratings. Each row shows a stimulus and the activations of the six
# channels (red positive, blue negative).

# %%
conv_layer = ConvolutionalLayer(c_in=1, c_out=out_channels, K=K, filters=example_filters)
with torch.no_grad():
    convout = conv_layer(stimuli)  # (5, 6, 48, 64)
print("activations:", tuple(convout.shape))
plot_example_activations(stimuli[:, 0], convout, channels=np.arange(out_channels))
plt.show()

# %% [markdown]
# The layer computes exactly what your `conv2d` computes:

# %%
with torch.no_grad():
    yours = conv2d(stimuli, conv_layer.conv.weight, conv_layer.conv.bias, padding=K // 2)
print("largest difference between your conv2d and nn.Conv2d:", (yours - convout).abs().max().item())

# %% [markdown]
# ### Think! 1: Shapes and parameters of a convolutional layer
#
# 1. How many activations does each channel of `conv_layer` have, and why that many?
# 2. How many parameters (weights and biases) does `conv_layer` have?
# 3. A fully connected layer could also map the $48 \times 64$ image to $6 \times 48 \times 64$
#    activations. How many parameters would it have? Where does the difference come from?
# 4. Channels 0 and 1 respond to every edge of the gratings whatever its orientation, with opposite
#    signs; channels 2 to 5 respond differently depending on the orientation. Which kinds of filter
#    produce these two behaviours?

# %% [markdown] nbgrader={"grade": true, "grade_id": "think_1_answer", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# 1. $48 \times 64 = 3072$, the size of the image: with stride 1 and padding $K/\!/2 = 3$,
#    $H_{out} = (48 + 2 \cdot 3 - 7)/1 + 1 = 48$ and likewise $W_{out} = 64$.
# 2. $6 \times 1 \times 7 \times 7 = 294$ weights and 6 biases: 300 parameters, whatever the image size.
# 3. Each of the $6 \times 3072 = 18432$ outputs would have its own weight for each of the $3072$
#    pixels: $3072 \times 18432 = 56{,}623{,}104$ weights plus $18432$ biases, about 190,000 times more.
#    A convolutional unit sees only $7 \times 7 = 49$ pixels (local receptive field), and all units of a
#    channel share those 49 weights (weight sharing).
# 4. Centre-surround filters (channels 0 and 1, one the negative of the other) respond to any change of
#    luminance near their centre, whatever its orientation, so they mark every edge, with opposite signs.
#    Gabor filters (channels 2 to 5) have a positive band next to a negative band, so they respond most
#    to edges parallel to their bands: their response depends on the grating's orientation.
# ### END SOLUTION

# %% [markdown]
# Check your counts:

# %%
n_conv = sum(p.numel() for p in conv_layer.parameters())
n_pixels, n_outputs = 48 * 64, out_channels * 48 * 64
n_fully_connected = n_pixels * n_outputs + n_outputs
print(f"convolutional layer: {n_conv:,} parameters; fully connected layer: {n_fully_connected:,} parameters")

# %% [markdown]
# ---
# # Summary
#
# - A 2-D convolution slides a kernel over an image and sums products; deep-learning libraries compute
#   the cross-correlation (no kernel flip).
# - Padding and stride set the output size, $\lfloor (H + 2P - K)/S \rfloor + 1$ in each direction.
# - You wrote `conv2d` with a loop over kernel offsets, and it matches PyTorch for batches, channels,
#   bias, stride and padding.
# - A convolutional layer with centre-surround and Gabor filters responds to the gratings' edges, like
#   cells in the retina and V1, with a few hundred parameters where a fully connected layer needs
#   tens of millions.
#
# In Tutorial 3 you will add pooling and fully connected layers to this layer, train the network to
# tell whether a grating tilts left or right, and compare its representations with mouse V1.

# %% [markdown]
# ---
# # Bonus: the filters behind the activations
#
# Why do the activations look the way they do? Here are the weights of `conv_layer`, one $7 \times 7$
# filter per channel. Gabor filters have a positive band next to a negative band; their orientation sets
# the orientation of the edges they respond to. Hubel and Wiesel's *simple cells* in V1 behave like the
# Gabor channels. *Complex cells* respond to an oriented grating wherever its bars are exactly, which the
# responses above do not do.

# %%
weights = conv_layer.conv.weight.detach()
print("weights:", tuple(weights.shape), "(output channels, input channels, height, width)")
plot_weights(weights, channels=np.arange(out_channels))
plt.show()

# %% [markdown]
# ### Bonus Think!
#
# 1. How could you build a complex cell, whose response to a grating does not depend on exactly where
#    its bars are?
# 2. How could you build a unit that responds to several orientations?

# %% [markdown] nbgrader={"grade": true, "grade_id": "bonus_think_answer", "locked": false, "points": 0, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# 1. Rectify (ReLU) the responses of Gabor channels of the same orientation but different phases, and
#    add them up; or take the maximum over a small neighbourhood of positions (max pooling), as the
#    network of Tutorial 3 does. Either way the response no longer depends on the exact position of the bars.
# 2. Add up (rectified) channels with different orientations, for example with a fully connected
#    layer on top of the convolutional layer, as in Tutorial 3.
# ### END SOLUTION
