"""One process of tests/test_multi_worker.py: fits three small models (a
plain `train_step`, Agg-VAE's cross-replica step, a batch-statistics method)
with `fit`, under MultiWorkerMirroredStrategy when TF_CONFIG is set (one
worker of several) or on one device otherwise, and writes their weights.

    python multi_worker_fit.py OUT.npz
"""

import os
import sys

import numpy as np
import tensorflow as tf

if os.environ.get("TF_CONFIG"):
    # Created first, before any other TensorFlow op, as the strategy asks.
    STRATEGY = tf.distribute.MultiWorkerMirroredStrategy()
else:
    STRATEGY = tf.distribute.get_strategy()

import keras  # noqa: E402

import keras_vae_collapse as kvc  # noqa: E402

GLOBAL_BATCH = 16


class DeterministicVAE(kvc.models.VAE):
    """Reconstructs from the posterior mean: the same computation on any
    number of replicas (their random streams necessarily differ)."""

    def reconstruction_latent(self, mu, logvar, training):
        return mu


class DeterministicAggressiveVAE(kvc.models.AggressiveVAE):
    def reconstruction_latent(self, mu, logvar, training):
        return mu


class DeterministicBNVAE(kvc.models.BNVAE):
    def reconstruction_latent(self, mu, logvar, training):
        return mu


def networks():
    return (
        kvc.networks.MLPEncoder(2, (16,)),
        kvc.networks.MLPDecoder((6,), (16,)),
        kvc.likelihoods.Gaussian((6,)),
        2,
    )


def make(kind):
    keras.utils.set_random_seed(7)
    if kind == "vae":
        model = DeterministicVAE(*networks(), clip_norm=1.0)
        model.compile(keras.optimizers.SGD(0.05))
    elif kind == "agg-vae":
        model = DeterministicAggressiveVAE(
            *networks(), max_inner_steps=6, window=2, clip_norm=1.0, seed=0
        )
        model.compile(
            encoder_optimizer=keras.optimizers.SGD(0.05),
            decoder_optimizer=keras.optimizers.SGD(0.05),
        )
    else:
        model = DeterministicBNVAE(*networks(), gamma=0.6)
        model.compile(keras.optimizers.SGD(0.05))
    return model


def dataset(x):
    ds = tf.data.Dataset.from_tensor_slices(x).batch(GLOBAL_BATCH)
    options = tf.data.Options()
    # Every worker reads every global batch and keeps its own part of it.
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    return ds.with_options(options)


def main(out):
    x = np.random.default_rng(0).normal(size=(64, 6)).astype(np.float32)
    results = {"replicas": STRATEGY.num_replicas_in_sync}
    for kind in ("vae", "agg-vae", "bn-vae"):
        with STRATEGY.scope():
            model = make(kind)
        history = model.fit(dataset(x), epochs=2, verbose=0, shuffle=False).history
        for i, w in enumerate(model.get_weights()):
            results[f"{kind}/{i}"] = w
        results[f"{kind}/loss"] = np.array(history["loss"])
    np.savez(out, **results)


if __name__ == "__main__":
    main(sys.argv[1])
