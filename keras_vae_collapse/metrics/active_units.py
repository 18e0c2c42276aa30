import numpy as np


def active_units(means, threshold=0.01):
    """Number of active latent dimensions (Burda et al. 2016; He et al. 2019).

    A dimension is active if the unbiased (N - 1) variance over the data of its
    posterior mean is >= `threshold`.

    Args:
        means: [N, n] posterior means of N examples.
        threshold: activity threshold (0.01).
    """
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or means.shape[0] < 2:
        raise ValueError(
            f"active_units needs means of shape [N >= 2, n], got {means.shape}"
        )
    return int(np.sum(np.var(means, axis=0, ddof=1) >= threshold))
