import math

import numpy as np
import pytest

from keras_vae_collapse import metrics


def gaussian_encoder(n, a, s, seed=0, dim=1):
    """x ~ N(0, 1); q(z|x) = N(a x, s^2) independently in `dim` dimensions."""
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return a * x, np.full_like(x, 2 * math.log(s))


def he_calc_mi(mu, logvar, z):
    """Direct numpy transcription of He et al.'s calc_mi for one batch."""
    b, n = mu.shape
    neg_entropy = np.mean(-0.5 * n * np.log(2 * np.pi) - 0.5 * np.sum(1 + logvar, -1))
    dev = z[:, None, :] - mu[None]
    var = np.exp(logvar)[None]
    log_density = -0.5 * np.sum(dev**2 / var, -1) - 0.5 * (
        n * np.log(2 * np.pi) + np.sum(logvar, -1)[None]
    )
    m = log_density.max(1, keepdims=True)
    log_qz = (m[:, 0] + np.log(np.exp(log_density - m).sum(1))) - np.log(b)
    return neg_entropy - log_qz.mean()


def test_batch_estimator_matches_reference_formula():
    mu, logvar = gaussian_encoder(120, 1.5, 0.4, dim=3)
    z = metrics.sample_posteriors(mu, logvar, seed=5).numpy()
    expected = np.mean(
        [
            he_calc_mi(mu[i : i + 40], logvar[i : i + 40], z[i : i + 40])
            for i in (0, 40, 80)
        ]
    )
    got = metrics.mutual_information(mu, logvar, "batch", batch_size=40, seed=5)
    assert got == pytest.approx(expected, abs=1e-4)
    uneven = metrics.mutual_information(
        mu, logvar, "batch", batch_size=[100, 20], seed=5
    )
    expected_uneven = (
        100 * he_calc_mi(mu[:100], logvar[:100], z[:100])
        + 20 * he_calc_mi(mu[100:], logvar[100:], z[100:])
    ) / 120
    assert uneven == pytest.approx(expected_uneven, abs=1e-4)


def test_dataset_estimator_approaches_closed_form():
    a, s = 2.0, 0.5
    truth = 0.5 * math.log(1 + a**2 / s**2)  # I(x; z) of z = a x + s eps
    mu, logvar = gaussian_encoder(6000, a, s, seed=1)
    got = metrics.mutual_information(mu, logvar, "dataset", seed=2)
    assert got == pytest.approx(truth, abs=0.05)


def test_batch_estimator_is_capped_by_log_batch_size():
    mu, logvar = gaussian_encoder(2000, 20.0, 0.01, seed=3)  # truth ~ 7.6 nats
    batch = 16
    got = metrics.mutual_information(mu, logvar, "batch", batch_size=batch, seed=0)
    assert got <= math.log(batch) + 1e-5
    assert got > math.log(batch) - 0.1


def test_mi_is_near_zero_for_a_collapsed_encoder():
    mu, logvar = gaussian_encoder(3000, 0.0, 1.0, dim=2)
    assert abs(metrics.mutual_information(mu, logvar, "dataset", seed=0)) < 0.01


def test_mutual_information_rejects_bad_arguments():
    mu, logvar = gaussian_encoder(10, 1.0, 1.0)
    with pytest.raises(ValueError, match="estimator"):
        metrics.mutual_information(mu, logvar, "exact")
    with pytest.raises(ValueError, match="sum to"):
        metrics.mutual_information(mu, logvar, "batch", batch_size=[3, 3])
    with pytest.raises(ValueError, match=r"\[N, n\]"):
        metrics.mutual_information(mu[:, 0], logvar[:, 0])


def test_active_units_against_numpy():
    rng = np.random.default_rng(0)
    means = rng.normal(size=(50, 6)) * np.array([1.0, 0.05, 0.2, 0.0, 0.09, 3.0])
    expected = int(np.sum(means.var(axis=0, ddof=1) >= 0.01))
    assert metrics.active_units(means) == expected
    assert metrics.active_units(means, threshold=0.5) == int(
        np.sum(means.var(axis=0, ddof=1) >= 0.5)
    )
    with pytest.raises(ValueError):
        metrics.active_units(means[:1])


def test_active_units_uses_unbiased_variance():
    # Two points at +-0.0707: biased variance 0.005, unbiased 0.01 -> active.
    means = np.array([[0.070711], [-0.070711]])
    assert metrics.active_units(means) == 1


@pytest.mark.parametrize("a,s", [(0.6, 0.8), (2.0, 0.5), (0.3, 0.3)])
def test_aggregate_posterior_kl_closed_form(a, s):
    # q(z) = N(0, a^2 + s^2): KL(q(z) || N(0, 1)) = (v - 1 - log v) / 2.
    v = a**2 + s**2
    truth = 0.5 * (v - 1 - math.log(v))
    mu, logvar = gaussian_encoder(5000, a, s, seed=4)
    assert metrics.aggregate_posterior_kl(mu, logvar, seed=1) == pytest.approx(
        truth, abs=0.03
    )


def test_mean_kl():
    mu, logvar = gaussian_encoder(100, 1.0, 0.5)
    expected = np.mean(0.5 * (mu**2 + np.exp(logvar) - logvar - 1).sum(-1))
    assert metrics.mean_kl(mu, logvar) == pytest.approx(expected, rel=1e-5)
