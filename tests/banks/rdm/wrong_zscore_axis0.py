# wrong: z-scores each unit across stimuli (axis 0) instead of each stimulus across units
# misconception zscore-wrong-axis: each unit is z-scored across stimuli (column-wise) instead of each stimulus across its units (row-wise)
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    from scipy.stats import zscore
    resp = np.asarray(resp, dtype=float)
    zresp = zscore(resp, axis=0)
    return 1 - zresp @ zresp.T / resp.shape[1]
