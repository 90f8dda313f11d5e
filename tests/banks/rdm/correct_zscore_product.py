# correct: z-score each row with scipy.stats.zscore, then 1 - Z Z^T / N
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    from scipy.stats import zscore
    resp = np.asarray(resp, dtype=float)
    zresp = zscore(resp, axis=1)
    return 1 - (zresp @ zresp.T) / zresp.shape[1]
