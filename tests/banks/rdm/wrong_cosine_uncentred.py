# wrong: cosine distance without subtracting each row's mean
# misconception not-centred: the values are not centred (their mean is not subtracted), which computes a cosine similarity instead of Pearson's correlation
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    resp = np.asarray(resp, dtype=float)
    unit = resp / np.linalg.norm(resp, axis=1, keepdims=True)
    return 1 - unit @ unit.T
