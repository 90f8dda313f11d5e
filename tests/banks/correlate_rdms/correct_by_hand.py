# correct: centred dot product over the product of norms, as a Python float
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    rdm1, rdm2 = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    mask = np.triu(np.ones(rdm1.shape, dtype=bool), k=1)
    a = rdm1[mask] - rdm1[mask].mean()
    b = rdm2[mask] - rdm2[mask].mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))
