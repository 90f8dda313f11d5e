# wrong: covariance of the upper triangles instead of their correlation
# misconception covariance-instead-of-correlation: the covariance is returned instead of the correlation; Pearson's r also divides by both standard deviations
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    rdm1, rdm2 = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    upper = np.triu_indices(rdm1.shape[0], k=1)
    return float(np.cov(rdm1[upper], rdm2[upper])[0, 1])
