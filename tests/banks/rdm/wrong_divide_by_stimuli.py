# wrong: divides Z Z^T by the number of stimuli S instead of the number of units N
# misconception zscore-product-wrong-count: Z @ Z.T is divided by the number of stimuli instead of the number of units each correlation averages over
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    resp = np.asarray(resp, dtype=float)
    zresp = (resp - resp.mean(axis=1, keepdims=True)) / resp.std(axis=1, keepdims=True)
    return 1 - zresp @ zresp.T / resp.shape[0]
