"""The posterior-mean-space diagnostic against the exact linear-Gaussian posterior."""

import numpy as np
import pytest
from conftest import text_vae, token_data

import keras_vae_collapse as kvc

W, B, NOISE = 1.5, 0.3, 0.8


def linear_model(encoder_gain):
    model = kvc.models.VAE(
        kvc.networks.MLPEncoder(1),
        kvc.networks.MLPDecoder((1,)),
        kvc.likelihoods.Gaussian((1,), scale=NOISE),
        1,
    )
    model.build((None, 1))
    model.decoder.head.set_weights([np.array([[W]]), np.array([B])])
    model.encoder.head.set_weights([np.array([[encoder_gain, 0.0]]), np.zeros(2)])
    return model


def test_model_posterior_mean_matches_closed_form():
    model = linear_model(encoder_gain=0.0)  # a collapsed inference network
    x = np.random.default_rng(0).normal(B, np.sqrt(W**2 + NOISE**2), size=(50, 1))
    exact = W * (x[:, 0] - B) / (W**2 + NOISE**2)
    model_means, approx_means = kvc.metrics.posterior_mean_space(
        model, x.astype(np.float32)
    )
    np.testing.assert_allclose(model_means, exact, atol=1e-3)
    np.testing.assert_allclose(approx_means, 0.0)  # on the horizontal axis


def test_plot_and_callback_write_pictures(tmp_path):
    model = text_vae(latent_dim=1, seed=0)
    model.compile("adam")
    points = token_data(30, seed=4)
    callback = kvc.callbacks.PosteriorMeanSpace(
        points,
        iterations=[0, 3],
        output_dir=str(tmp_path / "pms"),
        log_dir=str(tmp_path / "tb"),
        grid=np.linspace(-4, 4, 41),
    )
    model.fit(token_data(64), batch_size=16, epochs=1, verbose=0, callbacks=[callback])
    assert [r["step"] for r in callback.records] == [0, 3]
    assert (tmp_path / "pms" / "posterior_mean_space_0000003.png").stat().st_size > 1000
    saved = np.load(tmp_path / "pms" / "posterior_mean_space_0000000.npz")
    assert saved["model_means"].shape == (30,)
    assert any((tmp_path / "tb").iterdir())


def test_posterior_mean_space_requires_one_dimension():
    model = text_vae(latent_dim=2)
    with pytest.raises(ValueError, match="1-D latent"):
        kvc.metrics.model_posterior_mean(model, token_data(4))
