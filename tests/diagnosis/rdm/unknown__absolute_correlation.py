# a mistake no bank entry makes: 1 - |r|, so anticorrelated stimuli count as similar
def RDM(resp):
    """1 - |correlation| between rows."""
    return 1 - np.abs(np.corrcoef(np.asarray(resp, dtype=float)))
