# wrong: correlates the columns (units) instead of the rows (stimuli)
# misconception units-instead-of-stimuli: the columns (units) are correlated instead of the rows (stimuli), so the matrix compares units rather than stimuli
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    return 1 - np.corrcoef(np.asarray(resp, dtype=float).T)
