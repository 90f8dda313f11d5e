# wrong: z-scores the caller's array in place (right values, but the input is modified)
# misconception input-modified-in-place: the function changes its input in place, so the caller's data is modified; work on a copy
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    if isinstance(resp, torch.Tensor):
        resp = resp.numpy()
    resp -= resp.mean(axis=1, keepdims=True)
    resp /= resp.std(axis=1, keepdims=True)
    return 1 - resp @ resp.T / resp.shape[1]
