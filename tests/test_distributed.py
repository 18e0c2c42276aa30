"""fit under MirroredStrategy on two logical CPUs equals a single-device fit."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc


class DeterministicVAE(kvc.models.VAE):
    """Reconstructs from the posterior mean, so both runs see the same noise
    (the per-replica random streams of a stochastic VAE necessarily differ)."""

    def reconstruction_latent(self, mu, logvar, training):
        return mu


def make_model(clip_norm=None):
    keras.utils.set_random_seed(11)
    model = DeterministicVAE(
        kvc.networks.MLPEncoder(2, (16,)),
        kvc.networks.MLPDecoder((6,), (16,)),
        kvc.likelihoods.Gaussian((6,), trainable_scale=True),
        2,
        kl_schedule=kvc.schedules.LinearAnnealing(4, 0.2, 1),
        clip_norm=clip_norm,
    )
    model.compile(keras.optimizers.SGD(0.05))
    return model


def data():
    return np.random.default_rng(0).normal(size=(128, 6)).astype(np.float32)


@pytest.mark.parametrize("clip_norm", [None, 0.5])
def test_mirrored_strategy_matches_single_device(mirrored_strategy, clip_norm):
    strategy = mirrored_strategy
    single = make_model(clip_norm)
    ds = tf.data.Dataset.from_tensor_slices(data()).batch(32)
    single_logs = single.fit(ds, epochs=2, verbose=0).history

    with strategy.scope():
        mirrored = make_model(clip_norm)
    assert mirrored.distribute_strategy.num_replicas_in_sync == 2
    mirrored_logs = mirrored.fit(ds, epochs=2, verbose=0).history

    for a, b in zip(single.get_weights(), mirrored.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for key in ("loss", "rec", "kl", "elbo", "kl_weight"):
        np.testing.assert_allclose(single_logs[key], mirrored_logs[key], rtol=1e-4)
    assert int(mirrored.kl_step.numpy()) == int(single.kl_step.numpy()) == 8
    if clip_norm is not None:  # the clip is active in this setting
        unclipped = make_model(None)
        unclipped.fit(ds, epochs=2, verbose=0)
        diff = max(
            np.abs(a - b).max()
            for a, b in zip(unclipped.get_weights(), single.get_weights())
        )
        assert diff > 1e-2


def test_stochastic_vae_trains_under_mirrored_strategy(mirrored_strategy):
    strategy = mirrored_strategy
    with strategy.scope():
        model = kvc.models.VAE(
            kvc.networks.MLPEncoder(2, (16,)),
            kvc.networks.MLPDecoder((6,), (16,)),
            kvc.likelihoods.Gaussian((6,)),
            2,
            seed=1,
        )
        model.compile(keras.optimizers.Adam(1e-2))
    ds = tf.data.Dataset.from_tensor_slices(data()).batch(32)
    logs = model.fit(ds, epochs=3, verbose=0).history
    assert np.all(np.isfinite(logs["loss"]))
    assert logs["loss"][-1] < logs["loss"][0]
