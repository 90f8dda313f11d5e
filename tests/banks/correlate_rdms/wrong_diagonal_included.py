# wrong: keeps the diagonal (triu_indices with k=0)
# misconception diagonal-included: the diagonal of the RDMs is included, but it is always 0; only the entries above the diagonal should be compared
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    rdm1, rdm2 = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    upper = np.triu_indices(rdm1.shape[0])
    return float(np.corrcoef(rdm1[upper], rdm2[upper])[0, 1])
