# Euclidean distances by broadcasting instead of correlation distances
def RDM(resp):
    """Dissimilarity between stimuli."""
    r = np.asarray(resp, dtype=float)
    diff = r[:, None, :] - r[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=-1))
