"""Unit tests of w2d1_helpers: data loading (real and synthetic), stimuli, layer hooks and plots."""
import dataclasses
import hashlib
import pickle
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HELPERS_DIR = Path(__file__).resolve().parents[2] / "source" / "W2D1"
if str(HELPERS_DIR) not in sys.path:
    sys.path.insert(0, str(HELPERS_DIR))

import w2d1_helpers as h  # noqa: E402

N = h.N_NEURONS


# ------------------------------------------------------------------ fixtures


def _isolate(mp, cache):
    """Point the loaders at an empty cache and at no real data."""
    mp.setenv(h.CACHE_ENV, str(cache))
    mp.delenv(h.DATA_ENV, raising=False)
    mp.setattr(h, "DATA_DIR", cache / "no-data-here")


@pytest.fixture(scope="module")
def w2d1_synthetic(tmp_path_factory):
    """The synthetic data, loaded once per module from a fresh cache: (resp, stimuli)."""
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, tmp_path_factory.mktemp("w2d1-cache"))
        yield h.load_data()


@pytest.fixture
def w2d1_isolated(monkeypatch, tmp_path):
    """A fresh cache folder and no real data for one test; returns the cache folder."""
    cache = tmp_path / "cache"
    _isolate(monkeypatch, cache)
    return cache


@pytest.fixture
def small_generators(monkeypatch):
    """Replace the synthetic generators by tiny ones, counting calls, so cache tests are fast."""
    calls = []

    def tiny():
        calls.append(1)
        rng = np.random.default_rng(0)
        return {"resp": rng.standard_normal((360, 5)).astype(np.float32),
                "stimuli": np.arange(360, dtype=np.float32) + 0.5}

    monkeypatch.setitem(h._GENERATORS, "oribinned1", tiny)
    return calls


def _md5(path):
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def _write_real_format(folder, n_neurons=50, seed=0):
    """A small file in the layout of W3D4_stringer_oribinned1.npz; returns (path, resp, stimuli)."""
    rng = np.random.default_rng(seed)
    resp = rng.standard_normal((360, n_neurons)).astype(np.float32)
    stimuli = np.arange(360, dtype=np.float32) + 0.5
    path = Path(folder) / h.DATASETS["oribinned1"].filename
    np.savez(path, resp=resp, stimuli=stimuli)
    return path, resp, stimuli


class DeepNetReLU(nn.Module):
    """The Tutorial 1 decoder (kept here, not in the shipped helpers, since students write it)."""

    def __init__(self, n_inputs, n_hidden):
        super().__init__()
        self.in_layer = nn.Linear(n_inputs, n_hidden)
        self.out_layer = nn.Linear(n_hidden, 1)

    def forward(self, r):
        return self.out_layer(torch.relu(self.in_layer(r)))


@pytest.fixture
def one_torch_thread():
    """One intra-op thread: on a busy machine, spinning worker threads make training several times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _train_tutorial1(resp_train, stimuli_train, seed, n_epochs=50):
    """Full-batch SGD, lr 1e-4, MSE, 10 hidden units; returns the loss per epoch."""
    torch.manual_seed(seed)
    net = DeepNetReLU(resp_train.shape[1], 10)
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-4)
    losses = []
    for _ in range(n_epochs):
        loss = nn.MSELoss()(net(resp_train), stimuli_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _fourier(resp, stimuli, k):
    """Complex k-th orientation Fourier coefficient of each neuron's tuning curve, shape (neurons,)."""
    theta = np.deg2rad(stimuli.numpy().ravel())
    return np.exp(-1j * k * theta) @ resp.numpy() / len(theta)


# ------------------------------------------------------------ shapes and stats


def test_load_data_returns_float32_responses_and_column_of_orientations(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    assert resp.shape == (360, N) and resp.dtype == torch.float32
    assert stimuli.shape == (360, 1) and stimuli.dtype == torch.float32
    assert 0 <= stimuli.min() and stimuli.max() <= 360
    assert torch.all(torch.diff(stimuli.ravel()) > 0)


def test_bin_width_6_averages_responses_and_orientations_in_60_bins(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    resp6, stimuli6 = h.load_data(bin_width=6)
    assert resp6.shape == (60, N) and stimuli6.shape == (60, 1)
    assert resp6.dtype == stimuli6.dtype == torch.float32
    torch.testing.assert_close(resp6[1], resp[6:12].mean(0))
    torch.testing.assert_close(stimuli6[:, 0], stimuli[:, 0].reshape(60, 6).mean(1))


def test_load_data_split_returns_two_60_bin_halves(w2d1_synthetic):
    resp_train, resp_test, stimuli = h.load_data_split()
    assert resp_train.shape == resp_test.shape == (60, N)
    assert stimuli.shape == (60, 1)
    assert {t.dtype for t in (resp_train, resp_test, stimuli)} == {torch.float32}
    assert not torch.equal(resp_train, resp_test)  # independent trial noise


def test_responses_are_zscored_per_neuron(w2d1_synthetic):
    resp, _ = w2d1_synthetic
    resp_train, resp_test, _ = h.load_data_split()
    for r in (resp, resp_train, resp_test):
        assert r.mean(0).abs().max() < 1e-4
        torch.testing.assert_close(r.std(0, unbiased=False), torch.ones(N), atol=1e-4, rtol=0)


def test_split_halves_share_the_tuning_of_the_same_neurons(w2d1_synthetic):
    resp_train, resp_test, _ = h.load_data_split()
    r = torch.corrcoef(torch.stack([resp_train.ravel(), resp_test.ravel()]))[0, 1]
    assert r > 0.2


def test_tuning_has_two_peaks_180_degrees_apart(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    f2 = _fourier(resp, stimuli, 2)
    tuned = np.argsort(np.abs(f2))[-1000:]  # the most strongly tuned neurons
    pref = np.rad2deg(-np.angle(f2[tuned])) / 2 % 180
    theta = stimuli.numpy().ravel()

    def near(offset):
        """Mean response within 10 degrees of pref + offset, per tuned neuron."""
        dist = np.abs((theta[:, None] - pref - offset + 180) % 360 - 180)
        x = resp.numpy()[:, tuned]
        return np.where(dist <= 10, x, 0).sum(0) / (dist <= 10).sum(0)

    peak_a, peak_b = near(0), near(180)
    orthogonal = np.maximum(near(90), near(270))
    assert np.median(np.minimum(peak_a, peak_b) - orthogonal) > 1.0
    # preferred orientations cover the whole half circle
    counts = np.histogram(pref, bins=4, range=(0, 180))[0]
    assert counts.min() > 0.15 * len(tuned)


def test_population_codes_orientation_more_than_direction(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    f1 = np.abs(_fourier(resp, stimuli, 1)).mean()
    f2 = np.abs(_fourier(resp, stimuli, 2)).mean()
    assert f2 > 2 * f1


def test_one_degree_tuning_curves_are_noisy_and_some_neurons_untuned(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    x = resp.numpy()
    # half the mean squared step between neighbouring bins estimates the noise variance
    noise_fraction = 0.5 * (np.diff(x, axis=0) ** 2).mean(0)
    assert 0.5 < np.median(noise_fraction) < 0.99
    # |F2| of pure z-scored noise is Rayleigh with scale sqrt(1 / 720); 0.1 is its 97th percentile
    untuned = np.abs(_fourier(resp, stimuli, 2)) < 0.1
    assert 0.1 < untuned.mean() < 0.7


# ------------------------------------------------------------ calibration


def test_split_data_takes_60_percent_like_the_original_recipe(w2d1_synthetic):
    resp, stimuli = w2d1_synthetic
    resp_train, resp_test, stimuli_train, stimuli_test = h.split_data(resp, stimuli)
    assert resp_train.shape == (216, N) and resp_test.shape == (144, N)
    assert stimuli_train.shape == (216, 1) and stimuli_test.shape == (144, 1)
    torch.manual_seed(4)
    order = torch.randperm(360)  # the original notebook's split
    assert torch.equal(stimuli_train, stimuli[order[:216]])
    assert torch.equal(stimuli_test, stimuli[order[216:]])


def test_untrained_decoder_mse_is_near_mean_squared_orientation(w2d1_synthetic):
    resp_train, _, stimuli_train, _ = h.split_data(*w2d1_synthetic)
    np.random.seed(1)
    torch.manual_seed(1)
    net = DeepNetReLU(N, 10)
    r, ori = h.get_data(20, resp_train, stimuli_train)
    with torch.no_grad():
        mse = nn.MSELoss()(net(r), ori).item()
    assert 30_000 < mse < 60_000  # E[theta^2] = 360^2 / 3 = 43,200


@pytest.mark.parametrize("seed", [1, 4, 2021])
def test_tutorial1_recipe_trains_below_1000_in_50_epochs(w2d1_synthetic, one_torch_thread, seed):
    resp_train, _, stimuli_train, _ = h.split_data(*w2d1_synthetic)
    losses = _train_tutorial1(resp_train, stimuli_train, seed)
    assert losses[0] > 30_000
    assert losses[9] > losses[-1]
    assert losses[-1] < 1000, f"loss after 50 epochs: {losses[-1]:.0f}"


# ------------------------------------------------------------ synthetic cache


def test_synthetic_generation_is_deterministic():
    first, second = h._generate_oribinned1(), h._generate_oribinned1()
    for key in ("resp", "stimuli"):
        np.testing.assert_array_equal(first[key], second[key])


def test_synthetic_file_has_the_real_files_keys_and_dtypes(w2d1_synthetic):
    path = h._synthetic_path("oribinned1")
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["resp", "stimuli"]
        assert npz["resp"].shape == (360, N) and npz["resp"].dtype == np.float32
        assert npz["stimuli"].shape == (360,)
    with np.load(h._synthetic_path("oribinned6_split"), allow_pickle=False) as npz:
        assert sorted(npz.files) == ["resp_test", "resp_train", "stimuli"]


def test_synthetic_data_is_cached_and_reused(w2d1_isolated, small_generators):
    first = h.load_data()
    cached = h._synthetic_path("oribinned1")
    assert cached.parent == w2d1_isolated and cached.is_file()
    assert not list(w2d1_isolated.glob("*.tmp"))  # atomic write leaves no temp files
    second = h.load_data()
    assert len(small_generators) == 1
    torch.testing.assert_close(first, second)
    assert h.data_source() == "synthetic"


def test_default_cache_dir_is_under_home(monkeypatch):
    monkeypatch.delenv(h.CACHE_ENV, raising=False)
    assert h.cache_dir() == Path("~/.cache/w2d1").expanduser()


def test_unwritable_cache_regenerates_in_memory(w2d1_isolated, small_generators, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(h.CACHE_ENV, str(blocker / "cache"))
    resp, stimuli = h.load_data()
    assert resp.shape == (360, 5)
    h.load_data()
    assert len(small_generators) == 2


def test_damaged_cache_file_is_regenerated(w2d1_isolated, small_generators):
    path = h._synthetic_path("oribinned1")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    resp, _ = h.load_data()
    assert resp.shape == (360, 5) and len(small_generators) == 1


def test_cached_load_is_fast(w2d1_synthetic):
    start = time.perf_counter()
    h.load_data()
    assert time.perf_counter() - start < 1.0


# ------------------------------------------------------------ real files


def test_real_file_is_loaded_after_md5_check(w2d1_isolated, tmp_path):
    path, resp, stimuli = _write_real_format(tmp_path)
    got_resp, got_stimuli = h.load_data(data_dir=tmp_path, expected_md5=_md5(path))
    np.testing.assert_array_equal(got_resp.numpy(), resp)
    np.testing.assert_array_equal(got_stimuli.numpy().ravel(), stimuli)
    assert h.data_source(data_dir=tmp_path) == f"real: {path}"


def test_real_file_is_found_through_the_environment_variable(w2d1_isolated, tmp_path, monkeypatch):
    path, resp, _ = _write_real_format(tmp_path)
    dataset = dataclasses.replace(h.DATASETS["oribinned1"], md5=_md5(path))
    monkeypatch.setitem(h.DATASETS, "oribinned1", dataset)
    monkeypatch.setenv(h.DATA_ENV, str(tmp_path))
    assert h.data_source() == f"real: {path}"
    got, _ = h.load_data(bin_width=6)
    assert got.shape == (60, 50)
    np.testing.assert_allclose(got[0].numpy(), resp[:6].mean(0), rtol=1e-6)


def test_real_file_in_data_folder_beside_module_is_used(w2d1_isolated, tmp_path, monkeypatch):
    path, _, _ = _write_real_format(tmp_path)
    monkeypatch.setattr(h, "DATA_DIR", tmp_path)
    monkeypatch.setitem(h.DATASETS, "oribinned1",
                        dataclasses.replace(h.DATASETS["oribinned1"], md5=_md5(path)))
    assert h.load_data()[0].shape == (360, 50)


def test_missing_file_in_data_env_folder_warns_and_uses_synthetic(w2d1_isolated, small_generators,
                                                                   monkeypatch, tmp_path):
    monkeypatch.setenv(h.DATA_ENV, str(tmp_path))
    with pytest.warns(UserWarning, match="synthetic"):
        resp, _ = h.load_data()
    assert resp.shape == (360, 5)


def test_real_split_file_is_loaded(w2d1_isolated, tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / h.DATASETS["oribinned6_split"].filename
    np.savez(path, resp_train=rng.standard_normal((60, 30)), resp_test=rng.standard_normal((60, 30)),
             stimuli=np.arange(60) * 6.0 + 3)
    resp_train, resp_test, stimuli = h.load_data_split(data_dir=tmp_path, expected_md5=_md5(path))
    assert resp_train.shape == resp_test.shape == (60, 30) and stimuli.shape == (60, 1)
    assert resp_train.dtype == torch.float32


def test_wrong_md5_raises_a_clear_error_and_loads_nothing(w2d1_isolated, tmp_path, monkeypatch):
    path, _, _ = _write_real_format(tmp_path)
    reads = []
    monkeypatch.setattr(h, "_read_npz", lambda *args: reads.append(args))
    monkeypatch.setenv(h.DATA_ENV, str(tmp_path))
    with pytest.raises(h.DataFileError) as info:
        h.load_data()
    message = str(info.value)
    assert path.name in message and _md5(path) in message
    assert h.DATASETS["oribinned1"].md5 in message
    assert "osf.io/683xc" in message and "delete" in message
    assert reads == []


@pytest.mark.parametrize("kind", ["object_array", "raw_pickle"])
def test_pickled_data_file_is_refused(w2d1_isolated, tmp_path, kind):
    path = tmp_path / h.DATASETS["oribinned1"].filename
    if kind == "object_array":
        np.savez(path, resp=np.array([{"x": 1}] * 360, dtype=object), stimuli=np.arange(360.0))
    else:
        path.write_bytes(pickle.dumps({"resp": np.zeros((360, 2)), "stimuli": np.arange(360.0)}))
    with pytest.raises(h.DataFileError, match="pickle"):
        h.load_data(data_dir=tmp_path, expected_md5=_md5(path))


def test_file_with_wrong_layout_is_refused(w2d1_isolated, tmp_path):
    path = tmp_path / h.DATASETS["oribinned1"].filename
    np.savez(path, resp=np.zeros((10, 3)), stimuli=np.arange(360.0))
    with pytest.raises(h.DataFileError, match="resp should be 360 x n_neurons"):
        h.load_data(data_dir=tmp_path, expected_md5=_md5(path))


# ------------------------------------------------------------ stimuli


@pytest.mark.parametrize("res, shape", [(0.1, (48, 64)), (0.025, (12, 16))])
def test_grating_shape_dtype_and_binary_values(res, shape):
    for angle in (-90, -30, 0, 45, 90):
        img = h.grating(angle, res=res)
        assert img.shape == shape and img.dtype == torch.float32
        assert set(img.unique().tolist()) <= {0.0, 1.0}


def test_grating_angle_is_measured_from_vertical():
    vertical, horizontal = h.grating(0), h.grating(90)
    assert torch.all(vertical == vertical[:1])  # stripes along columns
    assert torch.all(horizontal == horizontal[:, :1])  # stripes along rows
    assert len(vertical.unique()) == 2


def test_grating_patch_is_grey_outside_a_circle():
    img = h.grating(30, patch=True)
    assert img.shape == (48, 64)
    assert set(img.unique().tolist()) == {0.0, 0.5, 1.0}
    assert img[0, 0] == 0.5 and img[24, 48] != 0.5


@pytest.mark.parametrize("out_channels, K", [(6, 7), (4, 5), (8, 9)])
def test_filters_shape_scale_and_centre_surround_pair(out_channels, K):
    bank = h.filters(out_channels, K)
    assert bank.shape == (out_channels, 1, K, K) and bank.dtype == torch.float32
    torch.testing.assert_close(bank.abs().amax(dim=(1, 2, 3)), torch.ones(out_channels))
    torch.testing.assert_close(bank[1], -bank[0])
    assert bank[0, 0, K // 2, K // 2] == 1  # excitatory centre
    assert bank[0, 0, 0, 0] < 0  # inhibitory surround
    gabors = bank[2:].reshape(out_channels - 2, -1)
    assert torch.linalg.matrix_rank(gabors) == out_channels - 2  # distinct orientations


# ------------------------------------------------------------ hooks


class _TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 7, padding=3)
        self.pool = nn.MaxPool2d(8)
        self.fc = nn.Linear(6 * 6 * 8, 10)
        self.out = nn.Linear(10, 1)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x.unsqueeze(1))))
        return torch.sigmoid(self.out(torch.relu(self.fc(x.flatten(1)))))


def _hook_count(net):
    return sum(len(m._forward_hooks) for m in net.modules())


def test_get_hidden_activity_returns_flattened_layers_and_removes_hooks():
    net = _TinyCNN()
    stimuli = torch.stack([h.grating(a) for a in (-45, 0, 30)])
    activity = h.get_hidden_activity(net, stimuli, ["pool", "fc"])
    assert list(activity) == ["pool", "fc"]
    assert activity["pool"].shape == (3, 288) and activity["fc"].shape == (3, 10)
    assert isinstance(activity["fc"], np.ndarray)
    assert _hook_count(net) == 0


def test_get_hidden_activity_removes_hooks_when_forward_fails():
    net = _TinyCNN()
    with pytest.raises(RuntimeError):
        h.get_hidden_activity(net, torch.zeros(2, 5, 5), ["pool"])  # too small to pool
    assert _hook_count(net) == 0


# ------------------------------------------------------------ plots


def _rdm():
    return np.random.default_rng(0).uniform(0, 2, (10, 10))


def _new_axes():
    return plt.subplots()[1]


PLOT_CALLS = {
    "data_matrix": lambda: h.plot_data_matrix(np.random.rand(20, 30), _new_axes()),
    "decoded": lambda: h.plot_decoded_results([3.0, 2.0, 1.0], torch.rand(5, 1) * 360,
                                              torch.rand(5, 1) * 360),
    "decoded_classes": lambda: h.plot_decoded_results([3.0, 1.0], torch.rand(5, 1) * 360,
                                                      torch.randint(0, 8, (5,)), n_classes=8),
    "weights": lambda: h.plot_weights(h.filters(), channels=[0, 1, 2]),
    "activations": lambda: h.plot_example_activations(
        torch.stack([h.grating(0), h.grating(45)]), np.random.randn(2, 6, 48, 64), channels=[0, 3]),
    "stimulus": lambda: h.show_stimulus(h.grating(20), title="20 degrees"),
    "tuning": lambda: h.plot_tuning(_new_axes(), np.arange(60) * 6.0, np.random.rand(60),
                                    np.random.rand(60), 7),
    "corr_matrix": lambda: h.plot_corr_matrix(_rdm()),
    "multiple_rdm": lambda: h.plot_multiple_rdm({"a": _rdm(), "b": _rdm()}),
    "rdm_rows": lambda: h.plot_rdm_rows([-45, 45], {"a": _rdm()}, np.linspace(-90, 90, 10)),
    "rdm_correlations": lambda: h.plot_rdm_rdm_correlations({"pool": 0.5, "fc": 0.2}),
    "training_loss": lambda: h.plot_training_loss([3.0, 2.0, 1.0]),
}


@pytest.mark.parametrize("name", sorted(PLOT_CALLS))
def test_plot_helpers_return_a_labelled_figure(name):
    try:
        fig = PLOT_CALLS[name]()
        assert isinstance(fig, matplotlib.figure.Figure)
        assert any(a.get_xlabel() or a.get_ylabel() or a.get_title() for a in fig.axes)
    finally:
        plt.close("all")
