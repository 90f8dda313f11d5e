# ranks first (scipy.stats.rankdata), then Pearson's r of the ranks
def correlate_rdms(rdm1, rdm2):
    """Correlation between the upper triangles of two RDMs."""
    from scipy.stats import rankdata
    a, b = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    i, j = np.triu_indices(len(a), 1)
    return float(np.corrcoef(rankdata(a[i, j]), rankdata(b[i, j]))[0, 1])
