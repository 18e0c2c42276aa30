"""Streaming over evaluation data: numpy arrays or batched `tf.data`."""

import keras
import numpy as np
import tensorflow as tf


def select_subset(x, num_examples=None, seed=0):
    """A fixed, seeded random subset of `num_examples` rows of an array.

    Returns (subset, indices); the whole array (in order) when num_examples is
    None or not smaller than the data.
    """
    n = len(x)
    if num_examples is None or int(num_examples) >= n:
        return x, np.arange(n)
    if int(num_examples) < 1:
        raise ValueError(f"num_examples must be >= 1, got {num_examples}")
    idx = np.sort(
        np.random.default_rng(seed).choice(n, int(num_examples), replace=False)
    )
    return x[idx], idx


def iterate_batches(data, batch_size=256, num_examples=None):
    """Yields data batches (tensors) from an array or a batched tf.data.Dataset.

    Dataset elements may be x or (x, ...) tuples; `num_examples` keeps the
    first examples of a dataset (use `select_subset` on arrays for a seeded
    random subset).
    """
    if isinstance(data, tf.data.Dataset):
        seen = 0
        for element in data:
            x, _, _ = keras.utils.unpack_x_y_sample_weight(element)
            if num_examples is not None:
                if seen >= num_examples:
                    return
                x = x[: num_examples - seen]
            seen += int(x.shape[0])
            yield x
        return
    x = np.asarray(data)
    if num_examples is not None:
        x = x[: int(num_examples)]
    for start in range(0, len(x), int(batch_size)):
        yield x[start : start + int(batch_size)]


def posterior_parameters(
    model, data, batch_size=256, num_examples=None, objective=False
):
    """(mu, logvar, batch_sizes) of a model over the data, batch by batch:
    of `model.encode`, or with `objective=True` of `model.posterior` (the
    posterior of the KL term; they differ for Scale-VAE only). A model
    without an encoder (the autoregressive baselines) gives its posterior,
    the prior."""
    objective = objective or not model.has_encoder
    encode = model.posterior if objective else model.encode
    mus, logvars, sizes = [], [], []
    for x in iterate_batches(data, batch_size, num_examples):
        mu, logvar = encode(x, batch_size=int(x.shape[0]))
        mus.append(mu)
        logvars.append(logvar)
        sizes.append(len(mu))
    if not sizes:
        raise ValueError("the evaluation data are empty")
    return np.concatenate(mus), np.concatenate(logvars), sizes
