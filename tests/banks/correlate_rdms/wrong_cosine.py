# wrong: cosine similarity of the upper triangles, without centring
# misconception not-centred: the values are not centred (their mean is not subtracted), which computes a cosine similarity instead of Pearson's correlation
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
    a, b = rdm1[upper], rdm2[upper]
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
