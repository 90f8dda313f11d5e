# correct: torch.corrcoef in float64, returned as a torch tensor
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    return 1 - torch.corrcoef(torch.as_tensor(resp, dtype=torch.float64))
