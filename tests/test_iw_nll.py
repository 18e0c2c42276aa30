"""Importance-weighted NLL on a linear-Gaussian model, where log p(x) is exact.

z ~ N(0, I_n), x = W z + b + N(0, s^2 I_D). W has orthogonal columns so the
exact posterior N(A (x - b), Sigma) is diagonal: Sigma = diag(1 / (1 + |w_d|^2 /
s^2)), A = Sigma W^T / s^2. With the exact posterior as encoder every importance
weight equals p(x), so the estimate is exact for every K.
"""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import keras_vae_collapse as kvc

N_LATENT, DIM, NOISE = 3, 6, 0.5


def linear_gaussian(exact_posterior=True):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(DIM, N_LATENT)))
    w = q * np.array([2.0, 1.0, 0.5])  # orthogonal columns, different norms
    b = rng.normal(size=DIM)
    sigma = 1.0 / (1.0 + np.sum(w**2, axis=0) / NOISE**2)
    a = (sigma[:, None] * w.T) / NOISE**2
    encoder = kvc.networks.MLPEncoder(N_LATENT)
    decoder = kvc.networks.MLPDecoder((DIM,))
    model = kvc.models.VAE(
        encoder, decoder, kvc.likelihoods.Gaussian((DIM,), scale=NOISE), N_LATENT
    )
    model.build((None, DIM))
    if not exact_posterior:
        a = a * 0.7
        sigma = sigma * 2.0
    encoder.head.set_weights(
        [
            np.concatenate([a.T, np.zeros((DIM, N_LATENT))], axis=1),
            np.concatenate([-a @ b, np.log(sigma)]),
        ]
    )
    decoder.head.set_weights([w.T, b])
    x = rng.multivariate_normal(b, w @ w.T + NOISE**2 * np.eye(DIM), size=20)
    exact = multivariate_normal(b, w @ w.T + NOISE**2 * np.eye(DIM)).logpdf(x)
    return model, x.astype(np.float32), exact


@pytest.mark.parametrize("num_samples,chunk_size", [(1, 1), (7, 3), (100, 100)])
def test_iw_is_exact_with_exact_posterior(num_samples, chunk_size):
    model, x, exact = linear_gaussian()
    got = model.log_prob_iw(x, num_samples=num_samples, chunk_size=chunk_size)
    np.testing.assert_allclose(got, exact, atol=1e-3)


def test_elbo_is_below_log_likelihood_and_iw_tightens():
    model, x, exact = linear_gaussian(exact_posterior=False)
    elbo = np.mean([model.elbo(x).mean() for _ in range(20)])
    iw = model.log_prob_iw(x, num_samples=2000, chunk_size=500, seed=3).mean()
    # A single IW draw may exceed log p(x) by its Monte Carlo error.
    assert elbo < iw < exact.mean() + 0.01
    assert exact.mean() - elbo > 0.2
    assert abs(exact.mean() - iw) < 0.1 * (exact.mean() - elbo)


def test_iw_nll_over_a_dataset_reports_its_settings():
    model, x, exact = linear_gaussian()
    result = kvc.metrics.iw_nll(model, x, num_samples=5, chunk_size=2, batch_size=6)
    assert result["nll"] == pytest.approx(-exact.mean(), abs=1e-3)
    assert result["num_examples"] == 20 and result["num_samples"] == 5
    subset = kvc.metrics.iw_nll(model, x, num_samples=5, num_examples=8)
    assert subset["num_examples"] == 8
    assert subset["nll"] == pytest.approx(-exact[:8].mean(), abs=1e-3)


def test_memory_bound_splits_samples_and_batch_but_keeps_the_estimate():
    model, x, exact = linear_gaussian(exact_posterior=True)[:3]
    decoded = []
    original = model._iw_chunk

    def spy(x_, mu, logvar, count, seed):
        decoded.append(int(count) * int(x_.shape[0]) * DIM)
        return original(x_, mu, logvar, count, seed)

    model._compiled_fns["iw_chunk"] = spy  # eager, so the sizes are visible
    model.max_decoded_elements = 5 * DIM  # 5 (sample, example) pairs at once
    small = model.log_prob_iw(x[:3], num_samples=7, chunk_size=100)
    assert max(decoded) <= model.max_decoded_elements
    decoded.clear()
    split = model.log_prob_iw(x[:8], num_samples=4)  # 8 examples > 5: split x
    assert max(decoded) <= model.max_decoded_elements and len(split) == 8
    # with the exact posterior every weight is p(x): any split is exact
    np.testing.assert_allclose(small, exact[:3], atol=1e-3)
    np.testing.assert_allclose(split, exact[:8], atol=1e-3)


def scale_vae_linear_gaussian(factor, exact_for):
    """A Scale-VAE with the linear-Gaussian decoder above, its factor set to
    `factor`, and an encoder that is the exact posterior of one of its two
    generative models: decoder input f * z, z ~ N(0, I) ("iw_nll", the model
    that samples), or decoder input z ~ N(0, I) ("iw_nll_unscaled")."""
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(DIM, N_LATENT)))
    w = q * np.array([2.0, 1.0, 0.5])
    b = rng.normal(size=DIM)
    model = kvc.models.ScaleVAE(
        kvc.networks.MLPEncoder(N_LATENT),
        kvc.networks.MLPDecoder((DIM,)),
        kvc.likelihoods.Gaussian((DIM,), scale=NOISE),
        N_LATENT,
    )
    model.build((None, DIM))
    model.scale.factor.assign(factor)
    model.scale.epoch.assign(5)  # past f_epochs: the stored factor is used
    # prior-space weights of the model the encoder is exact for
    w_prior = w * factor if exact_for == "iw_nll" else w
    sigma = 1.0 / (1.0 + np.sum(w_prior**2, axis=0) / NOISE**2)
    a = (sigma[:, None] * w_prior.T) / NOISE**2
    if exact_for == "iw_nll":
        # proposal in prior space N(mu, sigma^2 / f^2): store sigma^2 * f^2
        mean, log_var = a, np.log(sigma * factor**2)
    else:
        # scaled posterior N(f mu, sigma^2) is the decoder-space posterior
        mean, log_var = a / factor[:, None], np.log(sigma)
    model.encoder.head.set_weights(
        [
            np.concatenate([mean.T, np.zeros((DIM, N_LATENT))], axis=1),
            np.concatenate([-mean @ b, log_var]),
        ]
    )
    model.decoder.head.set_weights([w.T, b])
    cov = w_prior @ w_prior.T + NOISE**2 * np.eye(DIM)
    x = rng.multivariate_normal(b, cov, size=20).astype(np.float32)
    return model, x, multivariate_normal(b, cov).logpdf(x)


@pytest.mark.parametrize("exact_for", ["iw_nll", "iw_nll_unscaled"])
def test_scale_vae_bounds_are_exact_for_their_own_generative_model(exact_for):
    factor = np.array([3.0, 0.5, 1.5], np.float32)
    model, x, exact = scale_vae_linear_gaussian(factor, exact_for)
    bounds = model.log_prob_iw_bounds(x, num_samples=7, chunk_size=3)
    assert set(bounds) == set(model.iw_bounds()) == {"iw_nll", "iw_nll_unscaled"}
    np.testing.assert_allclose(bounds[exact_for], exact, atol=1e-3)
    other = ({"iw_nll", "iw_nll_unscaled"} - {exact_for}).pop()
    assert np.abs(bounds[other] - exact).mean() > 0.1  # a different model
    result = kvc.metrics.iw_nll(model, x, num_samples=7, batch_size=6)
    assert result[exact_for if exact_for != "iw_nll" else "nll"] == pytest.approx(
        -exact.mean(), abs=1e-3
    )


def test_scale_vae_bounds_agree_when_the_factor_is_one():
    model, x, exact = scale_vae_linear_gaussian(np.ones(3, np.float32), "iw_nll")
    bounds = model.log_prob_iw_bounds(x, num_samples=5)
    np.testing.assert_allclose(bounds["iw_nll_unscaled"], bounds["iw_nll"], atol=1e-5)
    np.testing.assert_allclose(bounds["iw_nll"], exact, atol=1e-3)


def test_scale_vae_elbo_bounds_the_model_that_samples():
    """`elbo` (so `val_elbo`, the schedule's monitor) is the ELBO of the
    model that samples: with its exact posterior its expectation is log p(x).
    The objective's KL is that of N(mu, sigma^2); the bound's is that of
    N(mu, sigma^2 / f^2), more by sum(sigma^2 (1 / f^2 - 1) / 2 + log f), and
    with the objective's KL the "ELBO" exceeds log p(x): not a bound."""
    factor = np.array([3.0, 0.5, 1.5], np.float32)
    model, x, exact = scale_vae_linear_gaussian(factor, "iw_nll")
    draws = np.stack([model.elbo(x) for _ in range(400)])
    error = draws.std(axis=0).mean() / np.sqrt(len(draws))
    assert abs(draws.mean() - exact.mean()) < 4 * error
    terms = model.compute_terms(x)
    variance = np.exp(terms["logvar"].numpy())
    gap = np.sum(0.5 * variance * (1 / factor**2 - 1) + np.log(factor), axis=-1)
    np.testing.assert_allclose(terms["bound_kl"] - terms["kl"], gap, rtol=1e-4)
    assert draws.mean() + gap.mean() > exact.mean() + 0.5  # the objective's
    logs = model.test_step(x)
    assert float(logs["elbo"]) < float(-logs["rec"] - logs["kl"])
