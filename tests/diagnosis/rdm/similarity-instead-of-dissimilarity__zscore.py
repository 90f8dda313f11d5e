# the correlation matrix itself, from row z-scores written by hand
def RDM(resp):
    """Correlation between the rows of resp."""
    resp = np.array(resp, dtype=np.float64)
    centred = resp - resp.mean(axis=1, keepdims=True)
    z = centred / centred.std(axis=1, keepdims=True)
    return (z @ z.T) / resp.shape[1]
