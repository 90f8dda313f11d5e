# wrong: torch z-score with the default unbiased std (N - 1) but divided by N
# misconception mixed-std-conventions: the z-scores use the unbiased standard deviation (N - 1) but the product is divided by N; use the same convention for both
def RDM(resp):
    """Representational dissimilarity matrix: 1 minus the Pearson correlation between rows.

    Args:
      resp (np.ndarray or torch.Tensor): S x N responses, one row per stimulus, one column per unit
    Returns:
      np.ndarray: S x S matrix with entry (s, t) = 1 - corr(resp[s], resp[t])
    """
    r = torch.as_tensor(resp, dtype=torch.float64)
    z = (r - r.mean(dim=1, keepdim=True)) / r.std(dim=1, keepdim=True)
    return (1 - z @ z.T / r.shape[1]).numpy()
