# wrong: Euclidean distance between response patterns instead of correlation distance
# misconception euclidean-instead-of-correlation: the Euclidean distance between response patterns is computed instead of the correlation distance 1 - r
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    from scipy.spatial.distance import pdist, squareform
    return squareform(pdist(np.asarray(resp, dtype=float)))
