"""Hidden tests of Tutorial 3's RSA exercises: RDM and correlate_rdms, against rsatoolbox and scipy.

The oracles run here, in the trusted process; the probes only call the
student's function and return what it gave, with its type as a string.
Each exercise is graded on its own: correlate_rdms gets RDMs built here, never
the student's RDM.

Documented behaviour for degenerate input: a stimulus whose response is the
same in every unit (a constant row) has no defined correlation.  rsatoolbox
(calc_rdm, 'correlation'), scipy (pdist, 'correlation') and 1 - np.corrcoef
agree that its off-diagonal dissimilarities are NaN; they disagree on its
diagonal entry (0 or NaN), so that one entry is not checked.

correlate_rdms must return one number: a Python float, a NumPy floating
scalar or a 0-d float array; arrays with ndim > 0 and tensors are refused.
"""
import functools
import warnings

import numpy as np
import pytest
import torch

# ---------------------------------------------------------------- oracles (trusted process only)


@functools.cache
def _rsatoolbox():
    """rsatoolbox, imported on first use (about a second): only when Tutorial 3 is graded."""
    import rsatoolbox

    return rsatoolbox


def _oracle_rdm_rsatoolbox(resp):
    rsatoolbox = _rsatoolbox()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rdms = rsatoolbox.rdm.calc_rdm(rsatoolbox.data.Dataset(np.asarray(resp, dtype=np.float64)),
                                       method="correlation")
    return rdms.get_matrices()[0]


def _oracle_rdm_scipy(resp):
    from scipy.spatial.distance import pdist, squareform

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return squareform(pdist(np.asarray(resp, dtype=np.float64), metric="correlation"), checks=False)


def _oracle_correlation(rdm1, rdm2):
    rsatoolbox = _rsatoolbox()
    r1 = rsatoolbox.rdm.RDMs(np.asarray(rdm1, dtype=np.float64)[None])
    r2 = rsatoolbox.rdm.RDMs(np.asarray(rdm2, dtype=np.float64)[None])
    return float(rsatoolbox.rdm.compare(r1, r2, method="corr")[0, 0])


# ---------------------------------------------------------------- trusted helpers


def _responses(n_stimuli, n_units, seed):
    """Positive, rate-like responses with their own offset and scale per stimulus (row)."""
    rng = np.random.default_rng(seed)
    base = rng.gamma(2.0, 1.0, size=(n_stimuli, n_units))
    return base * rng.uniform(0.5, 3.0, size=(n_stimuli, 1)) + rng.uniform(0.0, 4.0, size=(n_stimuli, 1))


def _as_input(resp, kind):
    return {"numpy64": resp.astype(np.float64), "numpy32": resp.astype(np.float32),
            "torch32": torch.tensor(resp, dtype=torch.float32),
            "torch64": torch.tensor(resp, dtype=torch.float64)}[kind]


def _rdm_value(result, n_stimuli):
    """The student's RDM as a float64 array, after checking its type and shape (messages without values)."""
    assert result["type"] in ("ndarray", "tensor"), \
        f"RDM should return a NumPy array (or a torch tensor), not {result['type']}"
    value = result["value"]
    assert value is not None and value.ndim == 2 and value.shape == (n_stimuli, n_stimuli), \
        "RDM of S stimuli x N units should be an S x S array: correlate the rows (stimuli), not the columns"
    return value


def _random_rdm(n_stimuli, n_units, seed, metric="correlation"):
    from scipy.spatial.distance import pdist, squareform

    return squareform(pdist(_responses(n_stimuli, n_units, seed), metric=metric))


def _scalar(result):
    """The student's correlation as a float when it is a single number (any type), else None."""
    value = result["value"]
    if value is None or np.size(value) != 1:
        return None
    return float(np.asarray(value).reshape(-1)[0])


ATOL = 1e-5  # lets float32 arithmetic through; every wrong formula misses by far more

# ---------------------------------------------------------------- probes (run in the sandbox)


def probe_rdm(ns, resp):
    out = ns["RDM"](resp)
    kind = "tensor" if isinstance(out, torch.Tensor) else "ndarray" if isinstance(out, np.ndarray) \
        else type(out).__name__
    if isinstance(out, torch.Tensor):
        out = out.detach().cpu().to(torch.float64)
    try:
        value = np.array(out, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        value = None
    return {"type": kind, "value": value}


def probe_rdm_leaves_input(ns, resp):
    original = resp.copy()
    ns["RDM"](resp)
    return {"unchanged": bool(np.array_equal(resp, original))}


def probe_correlate(ns, rdm1, rdm2):
    out = ns["correlate_rdms"](rdm1, rdm2)
    if isinstance(out, torch.Tensor):
        kind, out = "tensor", out.detach().cpu().to(torch.float64)
    elif isinstance(out, np.ndarray):
        kind = f"ndarray{out.ndim}d" if out.dtype.kind == "f" else "ndarray_non_float"
    elif isinstance(out, np.floating):
        kind = "numpy_float"
    elif isinstance(out, float):
        kind = "float"
    else:
        kind = type(out).__name__
    try:
        value = np.array(out, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        value = None
    return {"type": kind, "value": value}


# ---------------------------------------------------------------- RDM

PUBLIC_RESP = np.array([[1., 2., 3., 4.],
                        [2., 4., 6., 9.],
                        [4., 3., 2., 1.]])


@pytest.mark.exercise("rdm")
@pytest.mark.public
def test_rdm_public_examples(student):
    """RDM gives the public test's worked example, for arrays, rescaled arrays and tensors."""
    expected = _oracle_rdm_rsatoolbox(PUBLIC_RESP)
    for resp, what in [(PUBLIC_RESP, "the public test's 3 x 4 example"),
                       (10 * PUBLIC_RESP - 3, "the rescaled, shifted example"),
                       (torch.tensor(PUBLIC_RESP), "the example as a torch tensor")]:
        got = _rdm_value(student.run(probe_rdm, resp), 3)
        assert np.allclose(got, expected, atol=1e-4, rtol=0), f"RDM gives wrong values for {what}"
    wide = _responses(6, 40, seed=5)
    assert _rdm_value(student.run(probe_rdm, wide), 6).shape == (6, 6), "6 stimuli x 40 units should give 6 x 6"


SHAPES = {"more_stimuli_than_units": (12, 5), "more_units_than_stimuli": (6, 40),
          "square": (8, 8), "layer_sized": (30, 288)}


@pytest.mark.exercise("rdm")
@pytest.mark.weight(1.5)
@pytest.mark.parametrize("shape_name", list(SHAPES))
def test_rdm_matches_rsatoolbox(student, shape_name):
    """RDM of a NumPy float64 array equals rsatoolbox's correlation-distance RDM."""
    n_stimuli, n_units = SHAPES[shape_name]
    resp = _responses(n_stimuli, n_units, seed=n_stimuli * 100 + n_units)
    got = _rdm_value(student.run(probe_rdm, resp), n_stimuli)
    assert np.isfinite(got).all(), f"RDM of {n_stimuli} x {n_units} responses without constant rows has NaN or inf"
    assert np.allclose(got, got.T, atol=ATOL, rtol=0), f"RDM of {n_stimuli} x {n_units} responses is not symmetric"
    assert np.allclose(np.diag(got), 0, atol=ATOL), \
        f"RDM of {n_stimuli} x {n_units} responses should have zeros on its diagonal"
    assert np.allclose(got, _oracle_rdm_rsatoolbox(resp), atol=ATOL, rtol=0), \
        f"RDM of {n_stimuli} stimuli x {n_units} units differs from 1 - Pearson correlation between rows"


@pytest.mark.exercise("rdm")
@pytest.mark.parametrize("kind", ["numpy32", "torch32", "torch64"])
@pytest.mark.parametrize("shape", [(9, 4), (5, 11), (7, 7)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_rdm_matches_scipy_for_other_input_types(student, kind, shape):
    """RDM of float32 arrays and of torch tensors equals scipy's pdist(..., 'correlation')."""
    resp = _responses(*shape, seed=7 + shape[0] * shape[1])
    data = _as_input(resp, kind)
    what = {"numpy32": "a float32 NumPy array", "torch32": "a float32 torch tensor",
            "torch64": "a float64 torch tensor"}[kind]
    got = _rdm_value(student.run(probe_rdm, data), shape[0])
    expected = _oracle_rdm_scipy(np.asarray(data, dtype=np.float64) if kind.startswith("numpy")
                                 else data.double().numpy())
    assert np.allclose(got, expected, atol=1e-4, rtol=0), \
        f"RDM of {what} ({shape[0]} x {shape[1]}) differs from 1 - Pearson correlation between rows" + \
        (" (torch's std divides by N - 1 unless you pass unbiased=False / correction=0)"
         if kind.startswith("torch") else "")


@pytest.mark.exercise("rdm")
@pytest.mark.weight(1.5)
def test_rdm_constant_row_gives_nan(student):
    """A constant response row has no correlation: NaN off the diagonal of its row and column."""
    resp = _responses(7, 6, seed=11)
    resp[3] = 2.5
    got = _rdm_value(student.run(probe_rdm, resp), 7)
    expected = _oracle_rdm_rsatoolbox(resp)
    if not np.allclose(expected, _oracle_rdm_scipy(resp), equal_nan=True):
        raise RuntimeError("rsatoolbox and scipy disagree on a constant row; the documented behaviour needs review")
    off_diagonal = ~np.eye(7, dtype=bool)
    degenerate = np.zeros((7, 7), dtype=bool)
    degenerate[3, :] = degenerate[:, 3] = True
    assert np.isnan(got[degenerate & off_diagonal]).all(), \
        "a stimulus with the same response in every unit has no defined correlation: its dissimilarities " \
        "to the other stimuli should be NaN (as with np.corrcoef), not a number"
    regular = ~degenerate
    assert np.allclose(got[regular], expected[regular], atol=ATOL, rtol=0), \
        "one constant row should not change the dissimilarities between the other stimuli"


@pytest.mark.exercise("rdm")
def test_rdm_leaves_input_unchanged(student):
    """RDM must not modify the response matrix it is given."""
    result = student.run(probe_rdm_leaves_input, _responses(6, 9, seed=13))
    assert result["unchanged"], \
        "RDM changed the array it was given (e.g. with -= or /=): work on a copy, the caller still needs its data"


# ---------------------------------------------------------------- correlate_rdms

RDM_A = np.array([[0., 1., 2., 3.],
                  [1., 0., 4., 5.],
                  [2., 4., 0., 6.],
                  [3., 5., 6., 0.]])
SCALAR_TYPES = ("float", "numpy_float", "ndarray0d")


@pytest.mark.exercise("correlate_rdms")
@pytest.mark.public
def test_correlate_public_examples(student):
    """correlate_rdms gives the public test's worked examples, as one number."""
    linear = 2 * RDM_A + 1 - np.eye(4)
    cases = [(RDM_A, linear, "a linear function of the first RDM above the diagonal"),
             (torch.tensor(RDM_A), torch.tensor(linear), "the same, as torch tensors"),
             (RDM_A, 10 - RDM_A - 10 * np.eye(4), "a decreasing linear function of the first RDM"),
             (RDM_A, RDM_A ** 2, "the squares of the first RDM")]
    for first, other, what in cases:
        result = student.run(probe_correlate, first, other)
        assert result["type"] in SCALAR_TYPES, \
            f"correlate_rdms should return one number (a float), not {result['type']}, for {what}"
        other = other.numpy() if isinstance(other, torch.Tensor) else other
        got = _scalar(result)
        assert got is not None and np.isclose(got, _oracle_correlation(RDM_A, other), atol=1e-6), \
            f"correlate_rdms is wrong for the public test's RDM against {what}"


@pytest.mark.exercise("correlate_rdms")
def test_correlate_returns_a_float(student):
    """The contract returns a float: Python float, NumPy floating scalar or 0-d array; not an array or tensor."""
    result = student.run(probe_correlate, _random_rdm(6, 10, seed=1), _random_rdm(6, 10, seed=2))
    assert result["type"] in SCALAR_TYPES, \
        f"correlate_rdms should return a single float, not {result['type']}: e.g. float(np.corrcoef(a, b)[0, 1])"


CORRELATE_CASES = {"S3": (3, 5, "correlation"), "S6": (6, 10, "correlation"),
                   "S25_euclidean": (25, 8, "euclidean"), "S60": (60, 30, "correlation")}


@pytest.mark.exercise("correlate_rdms")
@pytest.mark.weight(1.5)
@pytest.mark.parametrize("case", list(CORRELATE_CASES))
def test_correlate_matches_rsatoolbox(student, case):
    """correlate_rdms equals rsatoolbox.rdm.compare(..., method='corr') on RDMs of S stimuli."""
    n_stimuli, n_units, metric = CORRELATE_CASES[case]
    rdm1 = _random_rdm(n_stimuli, n_units, seed=n_stimuli, metric=metric)
    rdm2 = _random_rdm(n_stimuli, n_units, seed=n_stimuli + 1, metric=metric)
    got = _scalar(student.run(probe_correlate, rdm1, rdm2))
    assert got is not None, "correlate_rdms should return one number, not an array of several"
    assert np.isclose(got, _oracle_correlation(rdm1, rdm2), atol=1e-6, rtol=0), \
        f"correlate_rdms of two {n_stimuli} x {n_stimuli} RDMs differs from the Pearson correlation " \
        "of their entries above the diagonal"


@pytest.mark.exercise("correlate_rdms")
@pytest.mark.parametrize("kind", ["numpy32", "torch64"])
def test_correlate_other_input_types(student, kind):
    """correlate_rdms also works on float32 arrays and on torch tensors (a student's RDM may return one)."""
    rdm1, rdm2 = _random_rdm(10, 7, seed=21), _random_rdm(10, 7, seed=22)
    a, b = _as_input(rdm1, kind), _as_input(rdm2, kind)
    got = _scalar(student.run(probe_correlate, a, b))
    assert got is not None, "correlate_rdms should return one number, not an array of several"
    expected = _oracle_correlation(np.asarray(a, dtype=np.float64) if kind == "numpy32"
                                   else a.numpy(), np.asarray(b, dtype=np.float64) if kind == "numpy32"
                                   else b.numpy())
    what = "float32 NumPy arrays" if kind == "numpy32" else "torch tensors"
    assert np.isclose(got, expected, atol=1e-5, rtol=0), f"correlate_rdms gives a wrong value for {what}"
