# the sample covariance of the upper triangles, written out by hand
def correlate_rdms(rdm1, rdm2):
    """How the two RDMs vary together."""
    a, b = np.asarray(rdm1, dtype=float), np.asarray(rdm2, dtype=float)
    n = a.shape[0]
    u = np.array([a[i, j] for i in range(n) for j in range(i + 1, n)])
    v = np.array([b[i, j] for i in range(n) for j in range(i + 1, n)])
    return float(((u - u.mean()) * (v - v.mean())).sum() / (len(u) - 1))
