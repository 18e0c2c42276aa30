"""Batch statistics over the global batch across replicas (two logical CPUs)."""

import numpy as np
import tensorflow as tf

from keras_vae_collapse import layers


def test_factor_and_moments_are_taken_over_the_global_batch(mirrored_strategy):
    strategy = mirrored_strategy
    mu = np.random.default_rng(0).normal(3.0, 2.0, size=(32, 4)).astype(np.float32)
    logvar = np.zeros_like(mu)

    single_scale = layers.PosteriorScale(0.7)
    single_bn = layers.BatchNormMean(0.5)
    single_scaled = single_scale(mu, training=True).numpy()
    single_normed = single_bn(mu, logvar, training=True)[0].numpy()
    with strategy.scope():
        scale = layers.PosteriorScale(0.7)
        bn = layers.BatchNormMean(0.5)
        scale.build((None, 4))
        bn.build((None, 4))

    dataset = strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices((mu, logvar)).batch(32)
    )

    @tf.function
    def step(batch):
        def replica(m, lv):
            return scale(m, training=True), bn(m, lv, training=True)[0]

        return strategy.run(replica, args=batch)

    scaled, normed = step(next(iter(dataset)))
    scaled = np.concatenate(
        [t.numpy() for t in strategy.experimental_local_results(scaled)]
    )
    normed = np.concatenate(
        [t.numpy() for t in strategy.experimental_local_results(normed)]
    )
    # each replica saw 16 rows, yet the statistics are those of all 32
    np.testing.assert_allclose(
        scale.last_factor.numpy(), single_scale.last_factor.numpy(), rtol=1e-5
    )
    np.testing.assert_allclose(scaled, single_scaled, rtol=1e-5)
    np.testing.assert_allclose(normed, single_normed, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        bn.moving_mean.numpy(), single_bn.moving_mean.numpy(), rtol=1e-5
    )
    per_replica = 0.7 / np.sqrt(mu[:16].var(0, ddof=1) + 1e-6)
    assert not np.allclose(scale.last_factor.numpy(), per_replica, rtol=1e-3)
