import math

import keras
import tensorflow as tf

from keras_vae_collapse.layers.batch_norm_mean import BatchNormMean


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class DUPosterior(keras.layers.Layer):
    """The posterior transform of DU-VAE (Shen et al. 2021).

    Diversity: BN on mu with a learnable gamma vector renormalised to RMS
    `gamma` (`BatchNormMean(learn_gamma=True)`). Uncertainty, once `active`
    (the KL weight has reached 1): a variance floor delta^2 = delta_rate /
    (2 pi e), var <- exp(logvar) + delta^2, and inverted dropout with rate
    `p_drop` on var - delta^2 in training, so dropped dimensions fall to the
    floor. Returns (mu, logvar without dropout, logvar with dropout).

    Args:
        gamma: target RMS of the BN scale (0.5).
        p_drop: variance dropout rate (0.2 text, 0.1 Omniglot).
        delta_rate: floor numerator (1.0).
    """

    def __init__(self, gamma=0.5, p_drop=0.2, delta_rate=1.0, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= p_drop < 1.0:
            raise ValueError(f"p_drop must be in [0, 1), got {p_drop}")
        self.gamma = float(gamma)
        self.p_drop = float(p_drop)
        self.delta_rate = float(delta_rate)
        self.norm = BatchNormMean(gamma, learn_gamma=True, name="norm")
        self.dropout = keras.layers.Dropout(self.p_drop, name="variance_dropout")

    @property
    def floor(self):
        return self.delta_rate / (2.0 * math.pi * math.e)

    def build(self, mu_shape, logvar_shape=None):
        self.norm.build(mu_shape)

    def call(self, mu, logvar, training=False, active=True):
        mu, logvar = self.norm(mu, logvar, training=training)
        variance = tf.exp(logvar)
        floored = tf.math.log(variance + self.floor)
        dropped = tf.math.log(self.dropout(variance, training=training) + self.floor)
        active = tf.convert_to_tensor(active)
        return (
            mu,
            tf.where(active, floored, logvar),
            tf.where(active, dropped, logvar),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"gamma": self.gamma, "p_drop": self.p_drop, "delta_rate": self.delta_rate}
        )
        return config
