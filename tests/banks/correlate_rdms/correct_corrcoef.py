# correct: np.corrcoef of the entries above the diagonal, a NumPy float
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    upper = np.triu_indices(rdm1.shape[0], k=1)
    return np.corrcoef(np.asarray(rdm1)[upper], np.asarray(rdm2)[upper])[0, 1]
