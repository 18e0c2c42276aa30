import numpy as np

from keras_vae_collapse import distributions


def test_kl_per_dimension_matches_closed_form():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(7, 5)).astype(np.float32)
    logvar = rng.normal(size=(7, 5)).astype(np.float32)
    expected = 0.5 * (mu**2 + np.exp(logvar) - logvar - 1.0)
    np.testing.assert_allclose(
        distributions.kl_per_dimension(mu, logvar).numpy(),
        expected,
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        distributions.kl_to_prior(mu, logvar).numpy(), expected.sum(-1), rtol=1e-5
    )


def test_kl_is_zero_at_the_prior():
    zeros = np.zeros((3, 4), np.float32)
    np.testing.assert_allclose(distributions.kl_to_prior(zeros, zeros).numpy(), 0.0)


def test_posterior_log_prob_matches_numpy():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(4, 3)).astype(np.float32)
    logvar = rng.normal(size=(4, 3)).astype(np.float32)
    z = rng.normal(size=(4, 3)).astype(np.float32)
    var = np.exp(logvar)
    expected = -0.5 * np.sum(np.log(2 * np.pi * var) + (z - mu) ** 2 / var, axis=-1)
    got = distributions.posterior(mu, logvar).log_prob(z).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    prior = distributions.prior(3).log_prob(z).numpy()
    np.testing.assert_allclose(
        prior, -0.5 * np.sum(np.log(2 * np.pi) + z**2, axis=-1), rtol=1e-5
    )
