# 1 - r between the columns, written with z-scores of the transposed responses
def RDM(resp):
    """1 - correlation between response patterns."""
    units = np.array(resp, dtype=np.float64).T  # N x S: one row per unit
    z = (units - units.mean(1, keepdims=True)) / units.std(1, keepdims=True)
    return 1 - z @ z.T / z.shape[1]
