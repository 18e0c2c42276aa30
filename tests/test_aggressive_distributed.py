"""AggressiveVAE under MirroredStrategy (two logical CPUs) equals one device."""

import keras
import numpy as np

import keras_vae_collapse as kvc


class DeterministicAggressiveVAE(kvc.models.AggressiveVAE):
    def reconstruction_latent(self, mu, logvar, training):
        return mu


def make_model():
    keras.utils.set_random_seed(3)
    model = DeterministicAggressiveVAE(
        kvc.networks.MLPEncoder(2, (16,)),
        kvc.networks.MLPDecoder((6,), (16,)),
        kvc.likelihoods.Gaussian((6,)),
        2,
        max_inner_steps=12,
        window=3,
        clip_norm=1.0,
        seed=0,
    )
    model.compile(
        encoder_optimizer=keras.optimizers.SGD(0.05),
        decoder_optimizer=keras.optimizers.SGD(0.05),
    )
    return model


def test_aggressive_training_matches_single_device(mirrored_strategy):
    x = np.random.default_rng(0).normal(size=(96, 6)).astype(np.float32)
    single = make_model()
    single_logs = single.fit(x, batch_size=16, epochs=1, shuffle=False, verbose=0)
    with mirrored_strategy.scope():
        mirrored = make_model()
    mirrored_logs = mirrored.fit(x, batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert mirrored.distribute_strategy.num_replicas_in_sync == 2
    for key in ("loss", "inner_steps"):
        np.testing.assert_allclose(
            single_logs.history[key], mirrored_logs.history[key], rtol=1e-4
        )
    assert single_logs.history["inner_steps"][0] > 1
    for a, b in zip(single.get_weights(), mirrored.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert int(single.encoder_optimizer.iterations.numpy()) == int(
        mirrored.encoder_optimizer.iterations.numpy()
    )
