# wrong: correlates the whole flattened matrices, diagonal included
# misconception whole-matrix: the whole matrices are correlated (both triangles and the diagonal); only the entries above the diagonal should be used
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    rdm1, rdm2 = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    return float(np.corrcoef(rdm1.ravel(), rdm2.ravel())[0, 1])
