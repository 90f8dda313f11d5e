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
# # Intro: Deep Learning in Neuroscience
#
# **Week 2, Day 1 (W2D1)**
#
# Based on the Neuromatch Academy computational neuroscience day W2D1, "Deep Learning"
# (intro lecture by Aude Oliva). Original day:
# https://compneuro.neuromatch.io/tutorials/W2D1_DeepLearning/chapter_title.html

# %% [markdown]
# ---
# ## Overview
#
# Deep convolutional networks (CNNs) trained to recognise objects in photographs turned out to be
# surprisingly good models of the primate visual system: their early layers respond to edges and
# gratings much like neurons in primary visual cortex (V1), and their deeper layers predict
# responses in higher visual areas better than hand-built models do. This makes deep networks
# useful to neuroscientists in three ways, and today you try each of them on the same data, the
# responses of about 20,000 neurons in mouse V1 to oriented gratings (Stringer et al., 2019):
#
# - **Decoding** (Tutorial 1): read a variable out of neural activity. A small fully connected
#   network learns to predict the grating's orientation from the population response. How well
#   it does tells us how much information V1 carries about orientation. You build the network,
#   train it with gradient descent, and then open the black box: you compute its gradients by
#   hand with backpropagation and check them against PyTorch.
# - **Encoding** (Tutorial 2): go the other way, from the stimulus to the neural response.
#   Convolutional layers are the building block of models of vision; you write a 2-D convolution
#   from scratch, wrap it in a layer, and look at what oriented filters do to grating images.
#   (The optional bonus fits a convolutional encoding model of V1.)
# - **Comparing representations** (Tutorial 3): train a small CNN to tell whether a grating tilts
#   left or right, then compare each of its layers with V1 by representational similarity
#   analysis (RSA): which stimuli does each system treat as similar? Representational
#   dissimilarity matrices (RDMs) let you compare a network with a brain area even though their
#   units do not correspond one to one.
#
# The day's outro turns to the caveats: a network that predicts neural data well is not
# necessarily a mechanistic model of the brain, and much current research asks which
# architectures, tasks and learning rules make networks more brain-like.

# %% [markdown]
# ---
# ## Video and slides
#
# - Intro lecture (Aude Oliva): https://www.youtube.com/watch?v=IZvcy0Myb3M
#   (also on Bilibili: https://www.bilibili.com/video/BV1sk4y1B7Ej)
# - Slides: https://osf.io/jw829/
# - The original day's pages, with the videos of each tutorial:
#   https://compneuro.neuromatch.io/tutorials/W2D1_DeepLearning/student/W2D1_Intro.html

# %% [markdown]
# ---
# ## How this assignment works
#
# You received four notebooks and one Python file; keep them together in one folder:
#
# | file | what |
# |---|---|
# | `W2D1_Intro.ipynb` | this overview (nothing to hand in) |
# | `W2D1_Tutorial1.ipynb` | decoding, and backpropagation by hand (graded) |
# | `W2D1_Tutorial2.ipynb` | convolutions (graded) |
# | `W2D1_Tutorial3.ipynb` | representational similarity analysis (graded) |
# | `w2d1_helpers.py` | data loading, stimuli and plotting functions the notebooks import |
#
# ### Working on an exercise
# 1. Open a tutorial and run its cells from the top (the first code cell imports everything).
# 2. Each exercise is a code cell with a function or class whose signature and docstring are
#    given; the docstring states the shape of every input and output. Replace the line
#    `raise NotImplementedError("Exercise ...")` with your code. Keep the names and the
#    signature exactly as given: the grader calls them.
# 3. Run the test cell right below the exercise. These are the **public tests**: a few quick
#    checks with messages that say what is wrong. The test cells are locked; fix your code, not
#    the test.
# 4. Write your answers to the "Think!" questions in the markdown cells that say
#    `YOUR ANSWER HERE` (they are not graded, but they are the point of the day).
#
# Make your exercise code depend only on its arguments and on the imports of the first code
# cell. When your submission is graded, only those imports, your exercise cells and any cells
# you added yourself are run, not the data-loading, training and plotting cells.
# Where an exercise says "by hand" (backpropagation without autograd, a convolution without a
# library convolution), the grader checks that too.
#
# ### Checking before you submit
# - Restart the kernel and run all cells (Kernel > Restart & Run All): every test cell should
#   run without an error.
# - If nbgrader is installed, validate each notebook, either with the **Validate** button in
#   the Jupyter toolbar or in a terminal:
#   `nbgrader validate W2D1_Tutorial1.ipynb W2D1_Tutorial2.ipynb W2D1_Tutorial3.ipynb`.
#   Read its output: it lists the tests that fail (its exit code does not).
#
# ### Submitting
# Hand in the three tutorial notebooks, with their file names unchanged
# (`W2D1_Tutorial1.ipynb`, `W2D1_Tutorial2.ipynb`, `W2D1_Tutorial3.ipynb`), where your
# instructor tells you to. Don't rename, split or merge them, and don't delete cells; cells
# you add are fine.
#
# ### How you are graded
# Each exercise's points are split between its public test cell and its **hidden tests**.
# The hidden tests are a longer suite you don't see: they call your functions on other shapes,
# values and edge cases and compare the results with a reference solution. When one fails, your
# feedback says what behaviour is wrong (never the expected numbers), so passing the public
# tests is necessary but not sufficient. Hidden tests run your code in an isolated process with
# a time limit per call, so an endless loop costs you that exercise only.
#
# When the grader runs your notebooks it sets the environment variable `NBGRADER_EXECUTION`,
# and the training cells then run fewer epochs, so grading is quick. You don't need to do
# anything about it; just don't remove that check from the training cells.

# %% [markdown]
# ---
# ## The data
#
# The tutorials use the mouse V1 recordings of Stringer et al. (2019): responses of 23,589
# neurons to gratings, averaged in 1-degree orientation bins. `w2d1_helpers.py` loads them:
#
# - If you have the original Neuromatch files `W3D4_stringer_oribinned1.npz` (and, for the
#   bonus, `W3D4_stringer_oribinned6_split.npz`), put them in a folder and set the environment
#   variable `W2D1_DATA_DIR` to that folder before starting Jupyter (or put them in a `data/`
#   folder next to `w2d1_helpers.py`). The loader checks each file's md5 checksum.
# - Otherwise (for example with no internet) the notebooks use a synthetic V1 population with
#   the same shapes and similar statistics, generated once and cached (in `~/.cache/w2d1`, or in
#   the folder named by `W2D1_CACHE_DIR`). Everything in the tutorials works with either.
#
# Run the next cell to see which one you will get.

# %%
from w2d1_helpers import data_source

print("V1 data:", data_source())

# %% [markdown]
# ---
# ## Reference
#
# Stringer, C., Michaelos, M., Tsyboulski, D., Lindo, S. E., & Pachitariu, M. High-precision
# coding in visual cortex. *Cell* 184, 2767-2778 (2021); preprint 2019.
#
# Now open `W2D1_Tutorial1.ipynb`.
