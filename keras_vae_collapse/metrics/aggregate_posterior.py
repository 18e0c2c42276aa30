import math

import numpy as np
import tensorflow as tf

from keras_vae_collapse import distributions

# Bound on the number of [z_i, x_j, d] terms evaluated at once.
_MAX_TERMS = 1 << 24


def sample_posteriors(mu, logvar, seed=None):
    """One sample z_i ~ q(z|x_i) per example ([N, n]), stateless if seeded."""
    mu = tf.convert_to_tensor(mu, tf.float32)
    logvar = tf.convert_to_tensor(logvar, tf.float32)
    if seed is None:
        eps = tf.random.normal(tf.shape(mu))
    else:
        eps = tf.random.stateless_normal(tf.shape(mu), seed=[int(seed), 0])
    return mu + tf.exp(0.5 * logvar) * eps


def log_aggregate_density(z, mu, logvar):
    """log q(z_i) = logsumexp_j log q(z_i|x_j) - log N, for every row of z.

    q(z) is the mixture of the N posteriors given by (mu, logvar); evaluated in
    chunks of rows of z so memory stays bounded.
    """
    z = tf.convert_to_tensor(z, tf.float32)
    mu = tf.convert_to_tensor(mu, tf.float32)
    logvar = tf.convert_to_tensor(logvar, tf.float32)
    num, dim = int(mu.shape[0]), int(mu.shape[1])
    q = distributions.posterior(mu[None], logvar[None])
    chunk = max(1, _MAX_TERMS // max(1, num * dim))
    out = []
    for start in range(0, int(z.shape[0]), chunk):
        log_q = q.log_prob(z[start : start + chunk, None, :])
        out.append(tf.reduce_logsumexp(log_q, axis=1) - math.log(num))
    return tf.concat(out, axis=0)


def aggregate_posterior_kl(mu, logvar, seed=None):
    """Sampled estimate of KL(q(z) || p(z)) for the aggregate posterior q(z).

    KL ~= mean_i [log q(z_i) - log p(z_i)] with z_i ~ q(z|x_i) and q(z_i) the
    mixture of all N posteriors. Nats.
    """
    z = sample_posteriors(mu, logvar, seed)
    log_q = log_aggregate_density(z, mu, logvar)
    log_p = distributions.prior(int(z.shape[-1])).log_prob(z)
    return float(np.mean((log_q - log_p).numpy()))


def mean_kl(mu, logvar):
    """Mean over examples of KL(q(z|x) || p(z)), in nats."""
    return float(np.mean(distributions.kl_to_prior(mu, logvar).numpy()))
