# cosine distances from scipy's cdist: patterns compared without removing their means
def RDM(resp):
    """Dissimilarity between the stimuli's response patterns."""
    from scipy.spatial.distance import cdist
    patterns = np.asarray(resp, dtype=float)
    return cdist(patterns, patterns, metric="cosine")
