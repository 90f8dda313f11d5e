# Pearson's r written in torch and returned as the 0-d tensor it computes
def correlate_rdms(rdm1, rdm2):
    """Pearson correlation of the entries above the diagonal."""
    a = torch.tensor(np.asarray(rdm1), dtype=torch.float64)
    b = torch.tensor(np.asarray(rdm2), dtype=torch.float64)
    mask = torch.ones_like(a, dtype=torch.bool).triu(diagonal=1)
    u, v = a[mask], b[mask]
    u, v = u - u.mean(), v - v.mean()
    return (u * v).sum() / torch.sqrt((u * u).sum() * (v * v).sum())
