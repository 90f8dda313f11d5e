# upper triangle taken with np.triu's mask, diagonal included, then scipy's pearsonr
def correlate_rdms(rdm1, rdm2):
    """Correlation of the upper triangles."""
    from scipy.stats import pearsonr
    a, b = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    keep = np.triu(np.ones(a.shape, dtype=bool))
    return float(pearsonr(a[keep], b[keep])[0])
