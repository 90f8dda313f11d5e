# Generated copy of source/W2D1/w2d1_helpers.py by `make release`; do not edit.
"""Helpers shipped with the W2D1 tutorials: mouse V1 data, grating stimuli, layer hooks and plots.

The mouse V1 data of Stringer et al. (2019) are read from the course's OSF
files when they are present (in the folder named by the environment variable
W2D1_DATA_DIR, or in a `data/` folder beside this module), after checking
their md5.  Otherwise the loaders use a deterministic synthetic V1 population
with the same file format, written once to a cache folder (W2D1_CACHE_DIR,
default ~/.cache/w2d1) and read back through the same code path.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = [
    "SEED", "DATA_SEED", "DATASETS", "DataFileError",
    "set_seed", "cache_dir", "load_data", "load_data_split", "data_source", "split_data",
    "get_data", "stimulus_class", "grating", "filters", "get_hidden_activity",
    "plot_data_matrix", "plot_decoded_results", "plot_weights",
    "plot_example_activations", "show_stimulus", "plot_tuning",
    "plot_corr_matrix", "plot_multiple_rdm", "plot_rdm_rows",
    "plot_rdm_rdm_correlations", "plot_training_loss",
]

SEED = 2021  # default seed for the tutorials' random draws
DATA_SEED = 4  # seed of the synthetic population and of the Tutorial 1 split
DATA_ENV = "W2D1_DATA_DIR"  # names a folder holding the real OSF files
CACHE_ENV = "W2D1_CACHE_DIR"  # names the folder for the synthetic files
DATA_DIR = Path(__file__).resolve().parent / "data"  # second place to look for real files
DEFAULT_CACHE_DIR = Path("~/.cache/w2d1")

# Synthetic population.  Bump SYNTHETIC_VERSION whenever the generator changes,
# so that stale cache files are never read.
SYNTHETIC_VERSION = 1
N_NEURONS = 23589
N_ORIENTATIONS = 360  # 1-degree bins
UNTUNED_FRACTION = 0.3
NOISE_SD = 0.9  # trial noise of a 1-degree bin, relative to a median tuning gain of 1
# NOISE_SD is calibrated on the Tutorial 1 recipe: lower noise makes the
# low-rank tuning structure dominate and slows full-batch SGD at lr 1e-4, higher
# noise drowns the signal; 0.9 gives ~10,000 at epoch 10 and < 100 at epoch 50.


@dataclass(frozen=True)
class Dataset:
    """One of the course's OSF data files."""

    filename: str
    md5: str
    osf: str  # OSF download id
    keys: tuple[str, ...]


DATASETS = {
    "oribinned1": Dataset("W3D4_stringer_oribinned1.npz", "436599dfd8ebe6019f066c38aed20580",
                          "683xc", ("resp", "stimuli")),
    "oribinned6_split": Dataset("W3D4_stringer_oribinned6_split.npz", "b3f7245c6221234a676b71a1f43c3bb5",
                                "p3aeb", ("resp_train", "resp_test", "stimuli")),
}


class DataFileError(ValueError):
    """A data file that must not be used: wrong checksum, pickled content or wrong layout."""


def set_seed(seed=SEED):
    """Seed Python's, NumPy's and PyTorch's global random number generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_data(bin_width=1, *, data_dir=None, expected_md5=None):
    """Mouse V1 responses to gratings, averaged in orientation bins.

    Responses are z-scored per neuron over the 360 one-degree bins.  With
    `bin_width` > 1, responses and orientations are averaged again within
    bins of that many degrees (360 / bin_width bins).

    Args:
      bin_width (float): width of the orientation bins, in degrees.
      data_dir, expected_md5: override where the real file is looked for and
        its checksum (for tests); by default the documented folders are
        searched and the OSF checksum is required.

    Returns:
      resp (torch.Tensor): float32, n_stimuli x n_neurons (360 x 23589 for bin_width=1).
      stimuli (torch.Tensor): float32, n_stimuli x 1, orientation in degrees (0..360).
    """
    data = _load_arrays("oribinned1", data_dir, expected_md5)
    resp, stimuli = data["resp"], data["stimuli"]
    if bin_width > 1:
        resp, stimuli = _bin_orientations(resp, stimuli, bin_width)
    return _as_tensor(resp), _as_tensor(stimuli).unsqueeze(1)


def load_data_split(*, data_dir=None, expected_md5=None):
    """Responses in 6-degree bins, from two disjoint halves of the trials.

    Returns:
      resp_train (torch.Tensor): float32, 60 x n_neurons.
      resp_test (torch.Tensor): float32, 60 x n_neurons.
      stimuli (torch.Tensor): float32, 60 x 1, orientation in degrees.
    """
    data = _load_arrays("oribinned6_split", data_dir, expected_md5)
    return (_as_tensor(data["resp_train"]), _as_tensor(data["resp_test"]),
            _as_tensor(data["stimuli"]).unsqueeze(1))


def data_source(name="oribinned1", *, data_dir=None):
    """Where the loaders get `name` from: "real: <path>" or "synthetic"."""
    path = _find_real_file(DATASETS[name], data_dir)
    return f"real: {path}" if path is not None else "synthetic"


def split_data(resp, stimuli, frac=0.6, seed=DATA_SEED):
    """Shuffle the stimuli and split them into a training and a test set.

    Args:
      resp (torch.Tensor): n_stimuli x n_neurons.
      stimuli (torch.Tensor): n_stimuli x 1.
      frac (float): fraction of stimuli in the training set (int(frac * n)).
      seed (int): seed of the shuffle; the same permutation as
        torch.manual_seed(seed) followed by torch.randperm(n_stimuli).

    Returns:
      resp_train, resp_test, stimuli_train, stimuli_test (torch.Tensor).
    """
    n_stimuli = resp.shape[0]
    order = torch.randperm(n_stimuli, generator=torch.Generator().manual_seed(seed))
    n_train = int(frac * n_stimuli)
    itrain, itest = order[:n_train], order[n_train:]
    return resp[itrain], resp[itest], stimuli[itrain], stimuli[itest]


def get_data(n_stim, train_data, train_labels):
    """Draw `n_stim` random (with replacement) response/orientation pairs, using NumPy's global RNG.

    Returns:
      (torch.Tensor, torch.Tensor): n_stim x n_neurons responses and n_stim x 1 orientations.
    """
    istim = np.random.choice(train_labels.shape[0], n_stim)
    return train_data[istim], train_labels[istim]


def stimulus_class(ori, n_classes):
    """Class index (0 .. n_classes-1) of each orientation, for equal bins over 0..360 degrees.

    Args:
      ori (torch.Tensor): n orientations in degrees (any shape with n elements).

    Returns:
      torch.Tensor: int64, shape (n,).
    """
    edges = np.linspace(0, 360, n_classes + 1)
    classes = np.digitize(np.asarray(ori).ravel(), edges) - 1
    return torch.tensor(np.clip(classes, 0, n_classes - 1))


def _load_arrays(name, data_dir=None, expected_md5=None):
    """Arrays of dataset `name` from the real file if present, else from the synthetic one."""
    dataset = DATASETS[name]
    path = _find_real_file(dataset, data_dir)
    if path is not None:
        _check_md5(path, expected_md5 or dataset.md5, dataset)
        return _read_npz(path, dataset.keys)
    return _load_synthetic(name)


def _data_dirs():
    """Folders searched for the real files, in order."""
    env = os.environ.get(DATA_ENV)
    dirs = [Path(env).expanduser()] if env else []
    return dirs + [DATA_DIR]


def _find_real_file(dataset, data_dir=None):
    """Path of the real file, or None when only the synthetic stand-in is available."""
    if data_dir is not None:
        path = Path(data_dir) / dataset.filename
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        return path
    for folder in _data_dirs():
        if (folder / dataset.filename).is_file():
            return folder / dataset.filename
    if os.environ.get(DATA_ENV):
        # The user asked for real data; say why they are not getting it.
        warnings.warn(f"{DATA_ENV} is set but {dataset.filename} is not in "
                      f"{os.environ[DATA_ENV]}; using the synthetic V1 population", stacklevel=3)
    return None


def _md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_md5(path, expected, dataset):
    """Raise DataFileError unless the file at `path` has md5 `expected`."""
    actual = _md5(path)
    if actual != expected:
        raise DataFileError(
            f"{path}: md5 is {actual}, expected {expected}; the file is damaged or is not "
            f"the course's version, so nothing was loaded. Re-download it from "
            f"https://osf.io/{dataset.osf}/download, or delete it to use the synthetic "
            f"stand-in.")


def _read_npz(source, keys):
    """Read `keys` from an .npz file or file-like object, refusing pickled content.

    Returns:
      dict: key -> numpy array; `stimuli` is 1-D, the other keys are
      n_stimuli x n_neurons.
    """
    label = getattr(source, "name", None) or str(source)
    try:
        with np.load(source, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DataFileError(f"{label}: missing arrays {missing}; expected {list(keys)}")
            data = {k: npz[k] for k in keys}
    except DataFileError:
        raise
    except ValueError as err:  # numpy's refusal of pickled files and object arrays
        raise DataFileError(f"{label}: refusing to load pickled or object data ({err})") from err
    _check_layout(data, label)
    return data


def _check_layout(data, label):
    """Raise DataFileError unless the arrays are numeric with matching stimulus counts."""
    stimuli = data["stimuli"]
    if stimuli.ndim != 1:
        raise DataFileError(f"{label}: stimuli should be 1-D, got shape {stimuli.shape}")
    for key, arr in data.items():
        if not np.issubdtype(arr.dtype, np.number):
            raise DataFileError(f"{label}: {key} has non-numeric dtype {arr.dtype}")
        if key != "stimuli" and (arr.ndim != 2 or arr.shape[0] != len(stimuli)):
            raise DataFileError(f"{label}: {key} should be {len(stimuli)} x n_neurons, "
                                f"got shape {arr.shape}")


def _bin_orientations(resp, stimuli, bin_width):
    """Average responses (n x neurons) and orientations (n,) within bins of `bin_width` degrees."""
    bins = np.digitize(stimuli, np.arange(0, 360 + bin_width, bin_width))
    ids = np.unique(bins)
    resp_binned = np.stack([resp[bins == i].mean(0) for i in ids])
    stimuli_binned = np.array([stimuli[bins == i].mean() for i in ids])
    return resp_binned, stimuli_binned


def _as_tensor(arr):
    return torch.tensor(np.asarray(arr), dtype=torch.float32)


def cache_dir():
    """Folder of the synthetic data files: $W2D1_CACHE_DIR, else ~/.cache/w2d1."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR).expanduser()


def _synthetic_path(name):
    stem = f"synthetic-v{SYNTHETIC_VERSION}-seed{DATA_SEED}"
    return cache_dir() / f"{stem}-{DATASETS[name].filename}"


def _load_synthetic(name):
    """Read the cached synthetic file for `name`, generating (and caching) it if needed."""
    keys = DATASETS[name].keys
    path = _synthetic_path(name)
    if path.is_file():
        try:
            return _read_npz(path, keys)
        except (DataFileError, OSError, EOFError, zipfile.BadZipFile):
            with contextlib.suppress(OSError):
                path.unlink()  # a damaged cache file is regenerated below
    buffer = io.BytesIO()
    np.savez(buffer, **_GENERATORS[name]())
    try:
        _write_atomic(path, buffer.getvalue())
    except OSError:
        buffer.seek(0)  # cache not writable: read the in-memory file instead
        return _read_npz(buffer, keys)
    return _read_npz(path, keys)


def _write_atomic(path, content):
    """Write bytes so that readers see either no file or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache may be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rngs():
    """Independent generators for tuning parameters, 1-degree noise and the two split halves."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(DATA_SEED).spawn(4)]


def _tuning_parameters(rng, n_neurons=N_NEURONS):
    """Preferred orientation, width, gain and direction bias of each neuron (arrays of n_neurons)."""
    pref = rng.uniform(0, 180, n_neurons)
    kappa = rng.lognormal(np.log(2.0), 0.5, n_neurons)  # von Mises concentration on 2*theta
    gain = rng.lognormal(0.0, 0.5, n_neurons)
    gain[rng.random(n_neurons) < UNTUNED_FRACTION] = 0.0
    bias = rng.uniform(-0.4, 0.4, n_neurons)  # unequal heights of the two peaks, as in real V1
    return pref, kappa, gain, bias


def _tuning_curves(theta, params):
    """Noise-free responses, float32 n_orientations x n_neurons, to orientations `theta` (degrees)."""
    pref, kappa, gain, bias = (p.astype(np.float32) for p in params)
    delta = np.deg2rad(theta.astype(np.float32)[:, None] - pref)
    # two peaks 180 degrees apart: a von Mises bump on 2*theta
    return gain * np.exp(kappa * (np.cos(2 * delta) - 1)) * (1 + bias * np.cos(delta))


def _zscore(x):
    """Z-score each column (neuron) over the rows (stimuli)."""
    x = x - x.mean(0)
    return x / x.std(0)


def _generate_oribinned1():
    """Synthetic arrays in the layout of W3D4_stringer_oribinned1.npz."""
    rng_params, rng_noise, _, _ = _rngs()
    stimuli = np.arange(N_ORIENTATIONS, dtype=np.float32) + 0.5  # bin centres
    signal = _tuning_curves(stimuli, _tuning_parameters(rng_params))
    noise = rng_noise.standard_normal(signal.shape, dtype=np.float32)
    return {"resp": _zscore(signal + NOISE_SD * noise), "stimuli": stimuli}


def _generate_oribinned6_split():
    """Synthetic arrays in the layout of W3D4_stringer_oribinned6_split.npz (same neurons)."""
    rng_params, _, rng_train, rng_test = _rngs()
    theta = np.arange(N_ORIENTATIONS, dtype=np.float32) + 0.5
    signal = _tuning_curves(theta, _tuning_parameters(rng_params))
    signal, stimuli = _bin_orientations(signal, theta, 6)
    # Half of the trials doubles the noise variance, 6 bins divide it by 6.
    sd = NOISE_SD * np.sqrt(2 / 6)
    halves = [_zscore(signal + sd * rng.standard_normal(signal.shape, dtype=np.float32))
              for rng in (rng_train, rng_test)]
    return {"resp_train": halves[0].astype(np.float32), "resp_test": halves[1].astype(np.float32),
            "stimuli": stimuli.astype(np.float32)}


_GENERATORS = {"oribinned1": _generate_oribinned1, "oribinned6_split": _generate_oribinned6_split}


def grating(angle, sf=1 / 28, res=0.1, patch=False):
    """Binary square-wave grating.

    Args:
      angle (float): orientation, in degrees from vertical.
      sf (float): spatial frequency, in cycles per pixel of the full-size image.
      res (float): image scale; 1.0 is 480 x 640 pixels, 0.1 is 48 x 64.
      patch (bool): show the grating only in a circular aperture on the
        right of the image, on a grey (0.5) background.

    Returns:
      torch.Tensor: float32, (480 * res) x (640 * res), values 0 and 1
      (and 0.5 outside the aperture when patch=True).
    """
    height, width = round(480 * res), round(640 * res)
    xx, yy = np.meshgrid(sf * np.arange(width) / res, sf * np.arange(height) / res)
    theta = np.deg2rad(angle) + (0.1 if patch else 0.0)  # small shift centres a stripe in the patch
    image = (np.cos(xx * np.cos(theta) + yy * np.sin(theta)) > 0).astype(np.float32)
    if patch:
        rows, cols = np.mgrid[:height, :width]
        radius = np.hypot(cols - 0.75 * width, rows - 0.5 * height)
        image[radius >= width / 6] = 0.5
    return torch.from_numpy(image)


def filters(out_channels=6, K=7):
    """Example convolution filters: a centre-surround pair, then Gabors.

    Channel 0 is a difference of Gaussians (centre sigma 1.1, surround 2.2),
    channel 1 its negative, the others are Gabors (wavelength 10, phase pi/2)
    at orientations evenly spaced in [0, 180).  Each is scaled to max |value| 1.

    Returns:
      torch.Tensor: float32, out_channels x 1 x K x K.
    """
    grid = np.arange(K) - (K - 1) / 2
    xx, yy = np.meshgrid(grid, grid, indexing="ij")
    r2 = xx ** 2 + yy ** 2
    sigma = 1.1
    centre_surround = np.exp(-r2 / (2 * sigma ** 2)) - 0.5 * np.exp(-r2 / (2 * (2 * sigma) ** 2))
    envelope = np.exp(-r2 / (2 * (2 * sigma) ** 2))
    n_gabors = max(out_channels - 2, 0)
    gabors = [envelope * np.cos(2 * np.pi * (xx * np.cos(t) + yy * np.sin(t)) / 10 + np.pi / 2)
              for t in np.deg2rad(np.arange(n_gabors) * 180 / max(n_gabors, 1))]
    bank = np.stack([centre_surround, -centre_surround, *gabors])[:out_channels]
    bank /= np.abs(bank).max(axis=(1, 2), keepdims=True)
    return torch.tensor(bank, dtype=torch.float32).unsqueeze(1)


def get_hidden_activity(net, stimuli, layer_labels):
    """Activations of named layers of `net` for a batch of stimuli.

    Args:
      net (nn.Module): network whose submodules are named by attribute
        (e.g. 'pool', 'fc'; dotted names reach nested modules).
      stimuli (torch.Tensor): batch of n inputs for net.
      layer_labels (list of str): names of the layers to record.

    Returns:
      dict: label -> numpy array, n x units (each layer's output flattened).
    """
    activity = {}

    def recorder(label):
        def hook(module, inputs, output):
            activity[label] = output.detach().reshape(len(stimuli), -1).cpu().numpy()
        return hook

    handles = [net.get_submodule(label).register_forward_hook(recorder(label))
               for label in layer_labels]
    try:
        with torch.no_grad():
            net(stimuli)
    finally:
        for handle in handles:
            handle.remove()
    return {label: activity[label] for label in layer_labels}


def _to_numpy(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def plot_data_matrix(X, ax):
    """Heatmap of a neurons x stimuli response matrix on `ax`; returns the Figure."""
    X = _to_numpy(X)
    image = ax.imshow(X, cmap="pink", aspect="auto",
                      vmin=np.percentile(X, 1), vmax=np.percentile(X, 99))
    ax.figure.colorbar(image, ax=ax, label="normalised neural response")
    ax.set(xlabel="stimulus", ylabel="neuron", xticks=[], yticks=[])
    return ax.figure


def plot_training_loss(losses, ax=None, log=False):
    """Loss against iterations of gradient descent; returns the Figure."""
    if ax is None:
        ax = plt.figure(figsize=(5, 4)).gca()
    ax.plot(losses)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="iterations of gradient descent", ylabel="training loss", title="Training loss")
    return ax.figure


def plot_decoded_results(train_loss, test_labels, predicted_test_labels, n_classes=None):
    """Training loss (left) and decoded against true test orientations (right).

    Args:
      train_loss (list of float): loss per iteration.
      test_labels (torch.Tensor): n_test x 1 true orientations, in degrees.
      predicted_test_labels (torch.Tensor): n_test decoded orientations in
        degrees, or decoded class indices when n_classes is given.
      n_classes (int or None): number of orientation classes of a classifier.

    Returns:
      matplotlib Figure.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    plot_training_loss(train_loss, ax=ax1)
    true, decoded = _to_numpy(test_labels).ravel(), _to_numpy(predicted_test_labels).ravel()
    ax2.plot(true, decoded, ".")
    ax2.set(xlabel="true stimulus orientation ($^o$)", title="Test set",
            xticks=np.linspace(0, 360, 5))
    if n_classes is None:
        ax2.plot([0, 360], [0, 360], color="0.7", zorder=-1)  # perfect decoding
        ax2.set(ylabel="decoded orientation ($^o$)", yticks=np.linspace(0, 360, 5))
    else:
        for edge in np.linspace(0, 360, n_classes + 1):
            ax2.axvline(edge, color="0.7", linewidth=1, zorder=-1)
        ax2.set(ylabel="decoded orientation class", yticks=np.arange(n_classes))
    fig.tight_layout()
    return fig


def plot_weights(weights, channels=(0,), colorbar=True):
    """Convolution filters `weights` (c_out x 1 x K x K), one panel per channel; returns the Figure."""
    weights = _to_numpy(weights)
    wmax = np.abs(weights).max()
    fig, axs = plt.subplots(1, len(channels), figsize=(2.5 * len(channels) + 1, 2.5), squeeze=False)
    for ax, channel in zip(axs[0], channels):
        image = ax.imshow(weights[channel, 0], vmin=-wmax, vmax=wmax, cmap="bwr")
        ax.set(title=f"channel {channel}", xticks=[], yticks=[])
    if colorbar:
        fig.colorbar(image, ax=list(axs[0]), label="weight")
    return fig


def plot_example_activations(stimuli, act, channels=(0,)):
    """Each stimulus (n x h x w, or h x w) beside its activations act (n x c x h' x w').

    Returns:
      matplotlib Figure.
    """
    stimuli, act = _to_numpy(stimuli), _to_numpy(act)
    if stimuli.ndim == 2:
        stimuli, act = stimuli[None], act.reshape(1, *act.shape[-3:])
    n = len(stimuli)
    fig, axs = plt.subplots(n, 1 + len(channels), figsize=(3 * (1 + len(channels)), 2.5 * n),
                            squeeze=False)
    amax = np.abs(act[:, list(channels)]).max() or 1.0
    for i in range(n):
        show_stimulus(stimuli[i], axs[i, 0])
        axs[i, 0].set_title("stimulus")
        for ax, channel in zip(axs[i, 1:], channels):
            image = ax.imshow(act[i, channel], vmin=-amax, vmax=amax, cmap="bwr")
            ax.set(title=f"channel {channel}", xticks=[], yticks=[])
    fig.colorbar(image, ax=list(axs[:, 1:].ravel()), label="activation")
    return fig


def show_stimulus(img, ax=None, title=None):
    """Show a grayscale stimulus image (h x w) without ticks; returns the Figure."""
    if ax is None:
        ax = plt.figure(figsize=(3, 2.5)).gca()
    ax.imshow(_to_numpy(img), cmap="binary")
    ax.set(xticks=[], yticks=[], title=title or "")
    for side in ("left", "bottom", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax.figure


def plot_tuning(ax, stimuli, respi_train, respi_test, neuron_index, linewidth=2):
    """One neuron's responses to `stimuli` on two halves of the trials; returns the Figure."""
    stimuli = _to_numpy(stimuli).ravel()
    ax.plot(stimuli, _to_numpy(respi_train).ravel(), "y", linewidth=linewidth, label="train")
    ax.plot(stimuli, _to_numpy(respi_test).ravel(), "m", linewidth=linewidth, label="test")
    ax.set(title=f"neuron {neuron_index}", xlabel="stimulus orientation ($^o$)",
           ylabel="neural response", xticks=np.linspace(0, 360, 5))
    ax.legend()
    return ax.figure


def plot_corr_matrix(rdm, ax=None, vmin=0.0, vmax=2.0):
    """Heatmap of a stimuli x stimuli dissimilarity matrix; returns the Figure."""
    if ax is None:
        ax = plt.figure(figsize=(4, 3.5)).gca()
    image = ax.imshow(_to_numpy(rdm), vmin=vmin, vmax=vmax)
    ax.set(xticks=[], yticks=[], xlabel="stimulus", ylabel="stimulus")
    ax.figure.colorbar(image, ax=ax, label="dissimilarity")
    return ax.figure


def plot_multiple_rdm(rdm_dict):
    """One RDM heatmap per entry of {label: rdm}; returns the Figure."""
    fig, axs = plt.subplots(1, len(rdm_dict), figsize=(4 * len(rdm_dict), 3.5), squeeze=False)
    for ax, (label, rdm) in zip(axs[0], rdm_dict.items()):
        plot_corr_matrix(rdm, ax)
        ax.set_title(label)
    fig.tight_layout()
    return fig


def plot_rdm_rows(ori_list, rdm_dict, rdm_oris):
    """Dissimilarity to the stimulus nearest each orientation in `ori_list`, for each RDM.

    Args:
      ori_list (list of float): reference orientations, in degrees.
      rdm_dict (dict): label -> n x n RDM.
      rdm_oris (array): the n orientations of the RDMs' rows, in degrees.

    Returns:
      matplotlib Figure.
    """
    rdm_oris = _to_numpy(rdm_oris).ravel()
    fig, axs = plt.subplots(1, len(ori_list), figsize=(4 * len(ori_list), 4), sharey=True,
                            squeeze=False)
    for ax, ori in zip(axs[0], ori_list):
        row = np.argmin(np.abs(rdm_oris - ori))
        for label, rdm in rdm_dict.items():
            ax.plot(rdm_oris, _to_numpy(rdm)[row], label=label)
        ax.axvline(rdm_oris[row], color="0.7", zorder=-1)
        ax.set(title=f"Dissimilarity with response\nto {ori:.0f}$^o$ stimulus",
               xlabel="stimulus orientation ($^o$)")
    axs[0, 0].set_ylabel("dissimilarity")
    axs[0, -1].legend(loc="upper left", bbox_to_anchor=(1, 1))
    fig.tight_layout()
    return fig


def plot_rdm_rdm_correlations(rdm_sim):
    """Bar plot of {layer label: correlation of its RDM with V1's}; returns the Figure."""
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.bar(list(rdm_sim.keys()), list(rdm_sim.values()))
    ax.set(xlabel="deep network model layer", ylabel="correlation of layer RDM\nwith mouse V1 RDM")
    fig.tight_layout()
    return fig
