import numpy as np
import tensorflow as tf

from keras_vae_collapse import distributions
from keras_vae_collapse.metrics.aggregate_posterior import (
    log_aggregate_density,
    sample_posteriors,
)

ESTIMATORS = ("batch", "dataset")


def _mutual_information(mu, logvar, z):
    neg_entropy = -tf.reduce_mean(distributions.posterior(mu, logvar).entropy())
    return float(neg_entropy - tf.reduce_mean(log_aggregate_density(z, mu, logvar)))


def mutual_information(mu, logvar, estimator="batch", batch_size=50, seed=None):
    """Mutual information I(x; z) under q(x, z) = p_data(x) q(z|x), in nats.

    MI = E_q log q(z|x) - E log q(z), with E_q log q(z|x) from the analytic
    entropy and log q(z_i) estimated from ONE sample z_i ~ q(z|x_i) as
    logsumexp_j log q(z_i|x_j) - log M over a set of M examples (j = i
    included):

    - "batch": He et al. 2019; the M examples are the mini-batch, the value is
      the batch-size-weighted mean over consecutive batches. Biased low and
      capped by log(batch size).
    - "dataset": BN-VAE / DU-VAE code; the M examples are all N examples.

    Args:
        mu, logvar: [N, n] posterior parameters.
        estimator: "batch" or "dataset".
        batch_size: for "batch": an int, or the list of consecutive batch sizes
            (as the evaluation data were batched).
        seed: seed of the posterior samples (None: random).
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    mu = np.asarray(mu, np.float32)
    logvar = np.asarray(logvar, np.float32)
    if mu.ndim != 2 or mu.shape != logvar.shape or mu.shape[0] < 1:
        raise ValueError(
            f"mu and logvar must both be [N, n]; got {mu.shape} and {logvar.shape}"
        )
    z = sample_posteriors(mu, logvar, seed)
    if estimator == "dataset":
        return _mutual_information(mu, logvar, z)
    if isinstance(batch_size, (int, np.integer)):
        sizes = [int(batch_size)] * (len(mu) // int(batch_size))
        if len(mu) % int(batch_size):
            sizes.append(len(mu) % int(batch_size))
    else:
        sizes = [int(b) for b in batch_size]
        if sum(sizes) != len(mu):
            raise ValueError(f"batch sizes sum to {sum(sizes)}, not N = {len(mu)}")
    total, start = 0.0, 0
    for size in sizes:
        end = start + size
        total += size * _mutual_information(
            mu[start:end], logvar[start:end], z[start:end]
        )
        start = end
    return total / len(mu)
