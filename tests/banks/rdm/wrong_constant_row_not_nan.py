# wrong: gives a constant row dissimilarity 1 (correlation 0) instead of NaN
# misconception constant-row-not-nan: a stimulus with a constant response gets a finite dissimilarity, but its correlation is undefined and the RDM should hold NaN there
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    resp = np.asarray(resp, dtype=float)
    std = resp.std(axis=1, keepdims=True)
    zresp = (resp - resp.mean(axis=1, keepdims=True)) / np.where(std == 0, 1.0, std)
    return 1 - zresp @ zresp.T / resp.shape[1]
