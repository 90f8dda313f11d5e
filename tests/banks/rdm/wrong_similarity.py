# wrong: returns the similarity (correlation) instead of the dissimilarity 1 - r
# misconception similarity-instead-of-dissimilarity: the correlation r is returned instead of the dissimilarity 1 - r
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    return np.corrcoef(np.asarray(resp, dtype=float))
