import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from keras_vae_collapse.likelihoods.likelihood import Likelihood

tfd = tfp.distributions

PAD_ID = 0
UNK_ID = 1
BOS_ID = 2
EOS_ID = 3


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class TokenCategorical(Likelihood):
    """Categorical likelihood over token sequences with padding masked.

    Data are int token ids [B, T] that start with <s> and end with </s>, padded
    with <pad>. Every vocabulary of the package puts <pad>, <unk>, <s>, </s> at
    ids 0, 1, 2, 3 (the order of the Yahoo / Yelp dictionaries). The decoder
    predicts x[:, 1:] from x[:, :-1]: its logits have shape
    [B, T - 1, vocab_size]. log p(x|z) sums over the predicted tokens that
    are not padding, so </s> counts and <s> does not (the perplexity convention
    of He et al. 2019).

    Args:
        vocab_size: number of token ids (padding included).
        max_length: optional fixed sequence length T (None: any length).
    """

    data_dtype = "int32"

    def __init__(self, vocab_size, max_length=None, **kwargs):
        super().__init__(**kwargs)
        if int(vocab_size) < 2:
            raise ValueError(f"vocab_size must be >= 2, got {vocab_size}")
        self.vocab_size = int(vocab_size)
        self.max_length = None if max_length is None else int(max_length)

    def example_shape(self):
        return (self.max_length,)

    def targets(self, x):
        return x[:, 1:]

    def mask(self, x):
        return tf.cast(tf.not_equal(self.targets(x), PAD_ID), tf.float32)

    def log_prob(self, params, x):
        targets = self.targets(x)
        token_log_prob = tfd.Categorical(logits=params).log_prob(targets)
        return tf.reduce_sum(token_log_prob * self.mask(x), axis=-1)

    def params_per_example(self, x):
        """Logits per sequence: (T - 1) predicted tokens x the vocabulary."""
        return max(1, int(x.shape[1]) - 1) * self.vocab_size

    def num_events(self, x):
        return tf.reduce_sum(self.mask(x), axis=-1)

    def sample(self, params, seed=None):
        return tfd.Categorical(logits=params).sample(seed=seed)

    def mean(self, params):
        return tf.nn.softmax(params, axis=-1)

    def validate(self, x):
        """As `Likelihood.validate`; sequences must hold <s> and </s> at least
        (length >= 2)."""
        x = super().validate(x)
        if x.shape.rank == 2 and x.shape[1] is not None and x.shape[1] < 2:
            raise ValueError(
                f"token sequences need <s> and </s> at least (length >= 2), got "
                f"length {x.shape[1]}"
            )
        return x

    def _check_dtype(self, dtype):
        if not dtype.is_integer:
            raise TypeError(
                f"TokenCategorical expects integer token ids, got {dtype.name}"
            )

    def _value_problem(self, array):
        if array.size and (array.min() < 0 or array.max() >= self.vocab_size):
            bad = np.argwhere((array < 0) | (array >= self.vocab_size))[0]
            return (
                f"token id {int(array[tuple(bad)])} at position {tuple(map(int, bad))}"
                f" is outside the vocabulary [0, {self.vocab_size})"
            )
        return None

    def _assert_values(self, x):
        checks = [
            tf.debugging.assert_non_negative(x, "token ids must be >= 0"),
            tf.debugging.assert_less(
                x,
                tf.constant(self.vocab_size, x.dtype),
                f"token ids must be < vocab_size = {self.vocab_size}",
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(x)

    def get_config(self):
        config = super().get_config()
        config.update({"vocab_size": self.vocab_size, "max_length": self.max_length})
        return config
