import math

import keras
import tensorflow as tf


def variance_interval(delta):
    """Roots l < 1 < u of ln s - s + 2 delta + 1 = 0 (bisection)."""

    def f(s):
        return math.log(s) - s + 2.0 * delta + 1.0

    def bisect(lo, hi):
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if (f(lo) < 0) == (f(mid) < 0):
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    return bisect(1e-12, 1.0), bisect(1.0, 1e6)


_EPSILON = 1e-6


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class DeltaPosterior(keras.layers.Layer):
    """delta-VAE posterior for a standard-normal prior (Razavi et al. 2019).

    The variance s = sigma^2 is restricted to [l, u], the roots of
    ln s - s + 2 delta + 1 = 0 (s = l + (u - l) * sigmoid(logvar_raw)), and
    mu = sqrt(2 delta + 1 + ln s - s + relu(mu_raw)), so every dimension has
    KL = delta + relu(mu_raw) / 2 >= delta. Note mu >= 0 by construction.

    Args:
        delta: the per-dimension KL floor (0.15).
    """

    def __init__(self, delta=0.15, **kwargs):
        super().__init__(**kwargs)
        if not delta > 0:
            raise ValueError(f"delta must be > 0, got {delta}")
        self.delta = float(delta)
        self.lower, self.upper = variance_interval(self.delta)

    def call(self, mu, logvar, training=False):
        s = self.lower + (self.upper - self.lower) * tf.sigmoid(logvar)
        slack = 2.0 * self.delta + 1.0 + tf.math.log(s) - s
        # The epsilon keeps the gradient of sqrt finite where the argument
        # reaches 0 (s at a root and mu_raw <= 0); KL stays >= delta.
        mu = tf.sqrt(tf.maximum(slack, 0.0) + tf.nn.relu(mu) + _EPSILON)
        return mu, tf.math.log(s)

    def get_config(self):
        config = super().get_config()
        config.update({"delta": self.delta})
        return config
