"""MAE's mutual posterior divergence against the reference code's own
formula (XuezheMax/mae `_postKL`, written out in numpy with its B / (B - 1)
and std corrections), the loss it adds, and the ELBO it leaves alone."""

import numpy as np
import tensorflow as tf

import keras_vae_collapse as kvc


def reference_post_kl(mu, logvar):
    """`_postKL` of XuezheMax/mae, line by line, in numpy."""
    b = mu.shape[0]
    var = np.exp(logvar)
    a = var[:, None] / (var[None] + 1e-12)
    bb = (mu[:, None] - mu[None]) ** 2 / (var[None] + 1e-12)
    c = logvar[:, None] - logvar[None]
    eye = np.eye(b)
    post = (a + bb - c - 1) * 0.5 * (1.0 - eye[:, :, None])
    mean = post.reshape(b * b, -1).mean(0) * b / (b - 1.0)
    dd = np.sqrt((b**2 - 1) / (b**2 - b - 1.0))
    std = (post.sum(2) + eye * mean.sum()).std(ddof=1) * dd
    return mean, std


def test_divergence_matches_the_reference_formula():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(7, 4))
    logvar = rng.normal(0.0, 0.5, size=(7, 4))
    mean, std = kvc.models.mutual_posterior_divergence(
        tf.constant(mu), tf.constant(logvar)
    )
    ref_mean, ref_std = reference_post_kl(mu, logvar)
    np.testing.assert_allclose(mean.numpy(), ref_mean, rtol=1e-9)
    np.testing.assert_allclose(std.numpy(), ref_std, rtol=1e-9)
    # Identical posteriors do not diverge.
    same = tf.constant(np.tile(mu[:1], (7, 1)))
    zero_mean, zero_std = kvc.models.mutual_posterior_divergence(
        same, tf.zeros_like(same)
    )
    np.testing.assert_allclose(zero_mean.numpy(), 0.0, atol=1e-12)
    np.testing.assert_allclose(zero_std.numpy(), 0.0, atol=1e-5)  # its floor


def test_the_loss_adds_the_regularizer_and_the_elbo_does_not():
    model = kvc.models.MAE(
        kvc.networks.MLPEncoder(3, (8,)),
        kvc.networks.MLPDecoder((5,), (8,)),
        kvc.likelihoods.Gaussian((5,)),
        3,
        eta=2.0,
        gamma=0.3,
    )
    x = np.random.default_rng(1).normal(size=(6, 5)).astype(np.float32)
    model.build(x.shape)
    terms = model.compute_terms(x)
    mean, std = kvc.models.mutual_posterior_divergence(terms["mu"], terms["logvar"])
    expected = (
        terms["rec"] + terms["kl"] - 2.0 * np.sum(np.log(1 / (1 + np.exp(-mean))))
    )
    expected += 0.3 * std
    np.testing.assert_allclose(
        model.per_example_loss(terms, 1.0).numpy(), expected.numpy(), rtol=1e-5
    )
    # The loss of a step carries the regularizer, its ELBO does not (the
    # posterior is deterministic here: the same mu and logvar).
    logs = model.test_step(x)
    regularizer = -2.0 * np.sum(np.log(1 / (1 + np.exp(-mean)))) + 0.3 * std
    np.testing.assert_allclose(
        float(logs["loss"]) + float(logs["elbo"]), float(regularizer), rtol=1e-4
    )
    # Two examples with equal variances: equal divergences both ways, zero
    # spread, and still a finite gradient.
    mu2 = tf.constant([[0.0, 1.0, 2.0], [1.0, 0.0, 0.5]])
    logvar2 = tf.zeros_like(mu2)
    with tf.GradientTape() as tape:
        tape.watch([mu2, logvar2])
        value = model.regularizer(mu2, logvar2)
    grads = tape.gradient(value, [mu2, logvar2])
    assert all(np.isfinite(g.numpy()).all() for g in grads)
