import math

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from keras_vae_collapse.likelihoods.likelihood import (
    Likelihood,
    assert_float_values,
    check_float_dtype,
    float_value_problem,
)

tfd = tfp.distributions


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class Gaussian(Likelihood):
    """Isotropic Gaussian likelihood N(x; decoder(z), scale^2 I) for real data.

    Args:
        event_shape: shape of one example, e.g. (D,).
        scale: the (initial) standard deviation.
        trainable_scale: learn one shared log-scale (True) or keep it fixed.
    """

    def __init__(self, event_shape, scale=1.0, trainable_scale=False, **kwargs):
        super().__init__(**kwargs)
        if not scale > 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        self.event_shape = tuple(int(d) for d in event_shape)
        self.scale = float(scale)
        self.trainable_scale = bool(trainable_scale)
        self.log_scale = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(math.log(self.scale)),
            trainable=self.trainable_scale,
            name="log_scale",
        )

    def example_shape(self):
        return self.event_shape

    def _distribution(self, params):
        scale = tf.exp(tf.cast(self.log_scale, params.dtype))
        return tfd.Independent(
            tfd.Normal(loc=params, scale=scale),
            reinterpreted_batch_ndims=len(self.event_shape),
        )

    def log_prob(self, params, x):
        return self._distribution(params).log_prob(tf.cast(x, params.dtype))

    def sample(self, params, seed=None):
        return self._distribution(params).sample(seed=seed)

    def mean(self, params):
        return params

    def _check_dtype(self, dtype):
        check_float_dtype("Gaussian", dtype)

    def _value_problem(self, array):
        return float_value_problem("Gaussian", array)

    def _assert_values(self, x):
        return assert_float_values("Gaussian", x)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "event_shape": list(self.event_shape),
                "scale": self.scale,
                "trainable_scale": self.trainable_scale,
            }
        )
        return config
