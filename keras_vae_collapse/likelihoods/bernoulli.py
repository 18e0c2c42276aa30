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
class Bernoulli(Likelihood):
    """Bernoulli likelihood for binary data (e.g. binarised Omniglot images).

    The decoder returns one logit per value; log p(x|z) sums over all values of
    an example. Data are floats in [0, 1].

    Args:
        event_shape: shape of one example, e.g. (28, 28, 1) or (784,).
    """

    def __init__(self, event_shape, **kwargs):
        super().__init__(**kwargs)
        self.event_shape = tuple(int(d) for d in event_shape)

    def example_shape(self):
        return self.event_shape

    def _distribution(self, params):
        return tfd.Independent(
            tfd.Bernoulli(logits=params, dtype=params.dtype),
            reinterpreted_batch_ndims=len(self.event_shape),
        )

    def log_prob(self, params, x):
        return self._distribution(params).log_prob(tf.cast(x, params.dtype))

    def sample(self, params, seed=None):
        return self._distribution(params).sample(seed=seed)

    def mean(self, params):
        return tf.sigmoid(params)

    def _check_dtype(self, dtype):
        check_float_dtype("Bernoulli", dtype)

    def _value_problem(self, array):
        return float_value_problem("Bernoulli", array, 0.0, 1.0)

    def _assert_values(self, x):
        return assert_float_values("Bernoulli", x, 0.0, 1.0)

    def get_config(self):
        config = super().get_config()
        config.update({"event_shape": list(self.event_shape)})
        return config
