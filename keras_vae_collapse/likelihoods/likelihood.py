import keras
import numpy as np
import tensorflow as tf


class Likelihood(keras.layers.Layer):
    """Base class of p(x|z): turns decoder outputs into log-densities.

    Subclasses implement `log_prob(params, x)` (per example, [B]),
    `num_events(x)` (per example, [B]: what a per-event loss divides by),
    `sample(params, seed)`, `mean(params)` and the checks of `validate`.
    """

    #: dtype the data is converted to.
    data_dtype = "float32"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Likelihoods are used through their methods, never called as layers.
        self.built = True

    def example_shape(self):
        """Shape of one example (None where it varies), for building models."""
        raise NotImplementedError

    def log_prob(self, params, x):
        raise NotImplementedError

    def params_per_example(self, x):
        """Decoder outputs per example of the batch `x` (what the decoder
        holds in memory per decoded example): the example size here."""
        return int(np.prod([d or 1 for d in self.example_shape()]))

    def num_events(self, x):
        """Values per example of a fixed-shape example (tokens override)."""
        size = int(np.prod(self.example_shape()))
        return tf.fill(tf.shape(x)[:1], float(size))

    def sample(self, params, seed=None):
        raise NotImplementedError

    def mean(self, params):
        raise NotImplementedError

    # -- input validation -------------------------------------------------
    def validate(self, x):
        """Returns x as a tensor of `data_dtype` or raises a clear error.

        Rank and dtype are checked when the computation is built (TypeError /
        ValueError). Values (NaN, range) are checked in Python when running
        eagerly (ValueError) and by graph assertions inside compiled steps
        (tf.errors.InvalidArgumentError whose message names the problem).
        """
        if isinstance(x, (dict, list, tuple)):
            raise TypeError(
                f"{self.__class__.__name__} expects one tensor of data, got a "
                f"{type(x).__name__}"
            )
        if not tf.is_tensor(x):
            x = np.asarray(x)
            if x.dtype == object or x.dtype.kind in "SU":
                raise TypeError(
                    f"{self.__class__.__name__} expects numeric data, got an "
                    f"array of dtype {x.dtype}"
                )
        x = tf.convert_to_tensor(x)
        self._check_dtype(x.dtype)
        shape = self.example_shape()
        if x.shape.rank is not None and x.shape.rank != len(shape) + 1:
            raise ValueError(
                f"{self.__class__.__name__} expects data of rank {len(shape) + 1} "
                f"(batch, {', '.join(str(d) for d in shape)}), got shape "
                f"{tuple(x.shape)}"
            )
        for i, (want, got) in enumerate(zip(shape, x.shape[1:])):
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{self.__class__.__name__} expects examples of shape "
                    f"{tuple(shape)}, got {tuple(x.shape[1:])} (axis {i + 1})"
                )
        x = tf.cast(x, self.data_dtype)
        if tf.executing_eagerly():
            problem = self._value_problem(x.numpy())
            if problem:
                raise ValueError(problem)
            return x
        return self._assert_values(x)

    def _check_dtype(self, dtype):
        raise NotImplementedError

    def _value_problem(self, array):
        """Returns a message naming what is wrong with the values, or None."""
        raise NotImplementedError

    def _assert_values(self, x):
        raise NotImplementedError


def check_float_dtype(name, dtype):
    if not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
        raise TypeError(f"{name} expects float (or bool/int) data, got {dtype.name}")


def float_value_problem(name, array, low=None, high=None):
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return f"{name}: input contains NaN or infinite values (first at index {where})"
    if (
        low is not None
        and (array < low).any()
        or high is not None
        and (array > high).any()
    ):
        return (
            f"{name}: input values must be in [{low}, {high}], found values in "
            f"[{array.min()}, {array.max()}]"
        )
    return None


def assert_float_values(name, x, low=None, high=None):
    checks = [
        tf.debugging.assert_all_finite(
            x, f"{name}: input contains NaN or infinite values"
        )
    ]
    if low is not None:
        checks.append(
            tf.debugging.assert_greater_equal(
                x, tf.cast(low, x.dtype), f"{name}: input values must be >= {low}"
            )
        )
    if high is not None:
        checks.append(
            tf.debugging.assert_less_equal(
                x, tf.cast(high, x.dtype), f"{name}: input values must be <= {high}"
            )
        )
    with tf.control_dependencies(checks):
        return tf.identity(x)
