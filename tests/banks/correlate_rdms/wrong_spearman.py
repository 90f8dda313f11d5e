# wrong: Spearman rank correlation instead of Pearson
# misconception spearman-instead-of-pearson: Spearman's rank correlation is computed instead of Pearson's correlation of the values
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    from scipy.stats import spearmanr
    rdm1, rdm2 = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    upper = np.triu_indices(rdm1.shape[0], k=1)
    return float(spearmanr(rdm1[upper], rdm2[upper])[0])
