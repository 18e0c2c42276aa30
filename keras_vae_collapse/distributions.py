"""TensorFlow Probability distributions of the VAE: posterior, prior and KL.

Distributions live inside computations only (tfp 0.25 distributions cannot be
Keras layer outputs): layers return tensors such as (mu, logvar) and the code
that needs densities, samples or KL builds the distribution from them here.
"""

import math

import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions

LOG_2PI = math.log(2.0 * math.pi)


def posterior(mu, logvar):
    """Diagonal Gaussian q(z|x) = N(mu, diag(exp(logvar))), event shape [n]."""
    mu = tf.convert_to_tensor(mu)
    return tfd.MultivariateNormalDiag(
        loc=mu, scale_diag=tf.exp(0.5 * tf.cast(logvar, mu.dtype))
    )


def prior(latent_dim, dtype="float32"):
    """Standard normal prior p(z) = N(0, I_n)."""
    return tfd.MultivariateNormalDiag(loc=tf.zeros([latent_dim], dtype=dtype))


def kl_per_dimension(mu, logvar):
    """KL(N(mu_d, exp(logvar_d)) || N(0, 1)) for every dimension, shape of mu."""
    mu = tf.convert_to_tensor(mu)
    q = tfd.Normal(loc=mu, scale=tf.exp(0.5 * tf.cast(logvar, mu.dtype)))
    return q.kl_divergence(tfd.Normal(tf.zeros([], mu.dtype), tf.ones([], mu.dtype)))


def kl_to_prior(mu, logvar):
    """KL(q(z|x) || p(z)) per example, summed over the latent dimensions."""
    return tf.reduce_sum(kl_per_dimension(mu, logvar), axis=-1)
