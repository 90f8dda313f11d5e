# wrong: right value, but returned as a 0-d torch tensor instead of a float
# misconception tensor-instead-of-float: a torch tensor is returned where a Python float is expected; convert it with .item() or float(...)
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation between the off-diagonal upper triangles of two RDMs.

    Args:
      rdm1 (np.ndarray): S x S representational dissimilarity matrix
      rdm2 (np.ndarray): S x S representational dissimilarity matrix of the same stimuli
    Returns:
      float: correlation coefficient between the S (S - 1) / 2 entries above the diagonal of each
    """
    a, b = torch.as_tensor(rdm1, dtype=torch.float64), torch.as_tensor(rdm2, dtype=torch.float64)
    rows, cols = torch.triu_indices(a.shape[0], a.shape[0], offset=1)
    return torch.corrcoef(torch.stack([a[rows, cols], b[rows, cols]]))[0, 1]
