"""Failure-mode datasets: quadrature references against Monte Carlo and
closed forms; LiBI's stages."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc
from keras_vae_collapse.datasets import failure_modes as F


@pytest.mark.parametrize("name", sorted(F.FAILURE_MODES))
def test_quadrature_matches_monte_carlo(name):
    x, _ = F.generate(name, 40, seed=5)
    ref = F.quadrature_reference(name, x, elbo=False)
    rng = np.random.default_rng(0)
    # Importance sampling with a wide proposal around the posterior mean.
    loc = ref["posterior_mean"][:, None]
    z = loc + 1.5 * rng.standard_normal((len(x), 200_000))
    log_q = -0.5 * (((z - loc) / 1.5) ** 2 + np.log(2 * np.pi)) - np.log(1.5)
    log_w = (
        np.concatenate([F.log_joint(name, x[i : i + 1], z[i]) for i in range(len(x))])
        - log_q
    )
    m = log_w.max(axis=1)
    w = np.exp(log_w - m[:, None])
    mc_log_px = m + np.log(w.mean(axis=1))
    np.testing.assert_allclose(ref["log_px"], mc_log_px, atol=0.01)
    mc_mean = (w * z).sum(axis=1) / w.sum(axis=1)
    np.testing.assert_allclose(ref["posterior_mean"], mc_mean, atol=0.02)


def test_unimodal_is_linear_gaussian_in_closed_form():
    x, _ = F.generate("unimodal", 30, seed=1)
    ref = F.quadrature_reference("unimodal", x)
    a, s2 = np.array([2.0, 1.0]), 0.25
    cov = s2 * np.eye(2) + np.outer(a, a)
    exact = -0.5 * (
        np.einsum("ni,ij,nj->n", x, np.linalg.inv(cov), x)
        + np.log(np.linalg.det(cov))
        + 2 * np.log(2 * np.pi)
    )
    np.testing.assert_allclose(ref["log_px"], exact, atol=1e-6)
    post_var = 1.0 / (1.0 + a @ a / s2)
    np.testing.assert_allclose(ref["posterior_mean"], post_var * x @ a / s2, atol=1e-6)
    # The posterior is Gaussian: the best Gaussian ELBO is log p(x).
    np.testing.assert_allclose(ref["best_elbo"], exact, atol=1e-4)
    np.testing.assert_allclose(ref["best_q"][:, 1], np.log(post_var), atol=1e-2)


def test_bimodal_best_elbo_leaves_a_gap_and_kl_identity_holds():
    x, _ = F.generate("bimodal", 30, seed=2)
    ref = F.quadrature_reference("bimodal", x)
    gap = ref["log_px"] - ref["best_elbo"]
    assert (gap > -1e-3).all() and gap.mean() > 0.2  # two modes, one Gaussian
    # KL(q || p(z|x)) = log p(x) - ELBO(q) for any q (q away from the kink
    # of |z| at 0, where Gauss-Hermite quadrature is exact enough).
    rng = np.random.default_rng(0)
    mean = rng.choice([-1, 1], 30) * rng.uniform(1.0, 2.5, 30)
    logvar = rng.normal(-3.5, 0.3, 30)
    kl = F.kl_to_true_posterior("bimodal", x, mean, logvar)
    elbo = F.gaussian_elbo("bimodal", x, mean[:, None], logvar[:, None])[:, 0]
    np.testing.assert_allclose(kl, ref["log_px"] - elbo, atol=2e-3)


def test_weak_latent_decoder_ignoring_z_is_competitive():
    x, _ = F.generate("weak_latent", 2000, seed=3)
    ref = F.quadrature_reference("weak_latent", x, elbo=False)
    ignore = -0.5 * np.sum(x**2, axis=1) - np.log(2 * np.pi)  # N(0, I), sigma 1
    loss = ref["log_px"].mean() - ignore.mean()
    assert 0.0 < loss < 0.15


def libi(likelihood_epochs=8, inference_epochs=2, **kwargs):
    keras.utils.set_random_seed(0)
    model = kvc.models.LiBI(
        kvc.networks.MLPEncoder(1, (16,)),
        kvc.networks.MLPDecoder((2,), ()),
        kvc.likelihoods.Gaussian((2,), 0.5),
        1,
        likelihood_epochs=likelihood_epochs,
        inference_epochs=inference_epochs,
        num_prior_samples=1000,
        chunk_size=250,
        seed=0,
        **kwargs,
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    return model


def model_log_px(model, x):
    grid = np.linspace(-8, 8, 4001).astype("float32")
    z = tf.constant(np.tile(grid[:, None, None], [1, len(x), 1]))
    lp = model.conditional_log_prob(tf.constant(x), z).numpy()
    lp += (-0.5 * (grid**2 + np.log(2 * np.pi)))[:, None]
    m = lp.max(axis=0)
    return m + np.log(np.exp(lp - m).sum(axis=0) * (grid[1] - grid[0]))


def test_libi_stage_one_reaches_the_exact_likelihood():
    data = F.failure_mode_splits("unimodal", seed=0)
    model = libi(likelihood_epochs=8, inference_epochs=1)
    history = model.fit(data["train"]["x"], batch_size=100, epochs=8, verbose=0)
    assert history.history["stage"] == [1] * 8
    exact = F.quadrature_reference("unimodal", data["test"]["x"], elbo=False)
    gap = exact["log_px"].mean() - model_log_px(model, data["test"]["x"]).mean()
    assert abs(gap) < 0.05, gap


def test_libi_stage_two_changes_only_the_encoder(tmp_path):
    data = F.failure_mode_splits("unimodal", seed=0, splits={"train": 1000})
    x = data["train"]["x"]
    model = libi(likelihood_epochs=1, inference_epochs=2)
    model.fit(x, batch_size=100, epochs=1, verbose=0)
    assert model.stage == 2 and model.reference_log_likelihood.numpy() < 0
    decoder = [v.numpy().copy() for v in model.decoder_variables()]
    encoder = [v.numpy().copy() for v in model.encoder_variables()]
    model.fit(x, batch_size=100, epochs=1, verbose=0)
    for before, v in zip(decoder, model.decoder_variables()):
        np.testing.assert_array_equal(before, v.numpy())
    assert any(
        not np.array_equal(b, v.numpy())
        for b, v in zip(encoder, model.encoder_variables())
    )
    # The stage and the reference likelihood are saved with the model.
    model.save(tmp_path / "libi.keras")
    loaded = keras.saving.load_model(tmp_path / "libi.keras")
    assert int(loaded.epoch.numpy()) == 2 and loaded.stage == 2
    assert (
        loaded.reference_log_likelihood.numpy()
        == model.reference_log_likelihood.numpy()
    )


def test_libi_joint_stage_keeps_the_likelihood():
    data = F.failure_mode_splits("unimodal", seed=0, splits={"train": 2000})
    model = libi(
        likelihood_epochs=6, inference_epochs=1, joint_epochs=3, tolerance=0.05
    )
    history = model.fit(data["train"]["x"], batch_size=100, epochs=10, verbose=0)
    assert history.history["stage"] == [1] * 6 + [2] + [3] * 3
    reference = float(model.reference_log_likelihood.numpy())
    assert history.history["log_likelihood"][-1] > reference - 0.15


def test_bad_chunking_is_rejected():
    with pytest.raises(ValueError, match="multiple"):
        kvc.models.LiBI(
            kvc.networks.MLPEncoder(1),
            kvc.networks.MLPDecoder((2,)),
            kvc.likelihoods.Gaussian((2,)),
            1,
            num_prior_samples=1000,
            chunk_size=300,
        )
