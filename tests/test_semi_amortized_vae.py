"""SA-VAE on the linear-Gaussian model of test_iw_nll, where the ELBO of a
Gaussian posterior has a closed form: the refinement closes most of the gap
to log p(x) from a poor encoder, the encoder's gradient through the unrolled
refinement equals finite differences, and training runs through `fit`."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_iw_nll import DIM, N_LATENT, NOISE, linear_gaussian

import keras_vae_collapse as kvc


def sa_vae(steps, lr=1.0):
    """The linear-Gaussian model of test_iw_nll (a poor encoder: means x 0.7,
    variances x 2) as an SA-VAE; (model, x, exact log p(x), W, b)."""
    vae, x, exact = linear_gaussian(exact_posterior=False)
    model = kvc.models.SemiAmortizedVAE(
        vae.encoder,
        vae.decoder,
        kvc.likelihoods.Gaussian((DIM,), scale=NOISE),
        N_LATENT,
        svi_steps=steps,
        svi_lr=lr,
        svi_clip=1e6,
    )
    model.build((None, DIM))
    w, b = vae.decoder.head.get_weights()
    return model, x, exact, w.T, b


def closed_form_elbo(x, mu, logvar, w, b):
    """E_q[log p(x|z)] - KL(q || N(0, I)) for q = N(mu, diag(exp(logvar)))."""
    var = np.exp(logvar)
    resid = x - mu @ w.T - b
    rec = (
        -0.5 * np.sum(resid**2, -1) / NOISE**2
        - 0.5 * (var @ np.sum(w**2, 0)) / NOISE**2
        - 0.5 * DIM * np.log(2 * np.pi * NOISE**2)
    )
    kl = 0.5 * np.sum(var + mu**2 - 1 - logvar, -1)
    return rec - kl


def test_refinement_closes_the_gap_to_log_likelihood():
    model, x, exact, w, b = sa_vae(steps=0)
    mu0, logvar0 = (a.numpy() for a in model.encoder(x))
    before = exact - closed_form_elbo(x, mu0, logvar0, w, b)
    # The batch mean scales each example's step by 1 / B: lr = B * 0.02. With
    # one noise draw per step the refined posterior jitters around the exact
    # one; the gap left shrinks with the step (0.18, 0.09, 0.05 nats at
    # 0.02, 0.01, 0.005 here).
    model.svi_steps, model.svi_lr = 300, 0.02 * len(x)
    mu, logvar = model.refine(x, tf.constant(mu0), tf.constant(logvar0), 1.0, False, 0)
    after = exact - closed_form_elbo(x, mu.numpy(), logvar.numpy(), w, b)
    assert before.mean() > 0.5  # the poor encoder's gap, in nats
    assert np.all(after >= -1e-4)  # an ELBO stays below log p(x)
    assert after.mean() < 0.15 * before.mean(), (before.mean(), after.mean())
    # Evaluation uses the refined posterior: encode and the IW proposal.
    model.svi_steps = 5  # a short graph to trace
    refined, _ = model.encode(x)
    assert not np.allclose(refined, mu0)


def test_the_encoder_gradient_through_the_refinement_is_exact():
    model, x, _, _, _ = sa_vae(steps=3, lr=2.0)
    kernel = model.encoder.head.kernel
    eps = tf.random.stateless_normal((len(x), N_LATENT), seed=[1, 2])

    def loss():
        mu, logvar = model.encoder(x)
        mu, logvar = model.refine(x, mu, logvar, 1.0, False, seed=5)
        z = mu + tf.exp(0.5 * logvar) * eps
        rec = -model.likelihood.log_prob(model.decoder(z, x, training=False), x)
        return tf.reduce_mean(rec + kvc.distributions.kl_to_prior(mu, logvar))

    with tf.GradientTape() as tape:
        value = loss()
    grad = tape.gradient(value, kernel).numpy()
    base = kernel.numpy()
    rng = np.random.default_rng(0)
    for i, j in zip(rng.integers(0, DIM, 4), rng.integers(0, 2 * N_LATENT, 4)):
        h = 1e-2
        shifted = base.copy()
        shifted[i, j] += h
        kernel.assign(shifted)
        up = float(loss())
        shifted[i, j] -= 2 * h
        kernel.assign(shifted)
        down = float(loss())
        kernel.assign(base)
        np.testing.assert_allclose(
            grad[i, j], (up - down) / (2 * h), rtol=0.02, atol=2e-3
        )
    assert np.abs(grad).max() > 1e-3


def test_decoder_gradient_modes_differ_only_in_the_decoders_terms():
    model, x, _, _, _ = sa_vae(steps=3, lr=2.0)
    x = tf.constant(x)
    variables = model.trainable_variables
    state = model.seed_generator.state.numpy()

    def step_grads(mode):
        model.decoder_gradient = mode
        model.seed_generator.state.assign(state)  # the same noise draws
        _, _, grads = model.gradients(x, 1.0, variables)
        return {id(v): g.numpy() for v, g in zip(variables, grads, strict=True)}

    exact, first = step_grads("exact"), step_grads("first_order")
    # The encoder's gradient runs through the refinement in both modes.
    encoder = {id(v) for v in model.encoder_variables()}
    for v in model.encoder_variables():
        np.testing.assert_allclose(first[id(v)], exact[id(v)], rtol=1e-5, atol=1e-6)
    # The decoder's first-order gradient is that of the ELBO at a fixed
    # lambda_K (same noise), which differs from the exact total derivative.
    model.seed_generator.state.assign(state)
    mu, logvar = model.refine(x, *model.posterior_params(x, training=True), 1.0, True)
    with tf.GradientTape() as tape:
        terms = model.terms_from_posterior(x, mu, logvar, True)
        loss = model.scale_loss(model.per_example_loss(terms, 1.0))
    decoder = [v for v in variables if id(v) not in encoder]
    fixed = tape.gradient(loss, decoder)
    for v, g in zip(decoder, fixed, strict=True):
        np.testing.assert_allclose(first[id(v)], g.numpy(), rtol=1e-5, atol=1e-6)
    gap = max(np.abs(first[id(v)] - exact[id(v)]).max() for v in decoder)
    assert gap > 1e-3, gap
    with pytest.raises(ValueError, match="decoder_gradient"):
        kvc.models.SemiAmortizedVAE(
            model.encoder,
            model.decoder,
            model.likelihood,
            N_LATENT,
            decoder_gradient="second",
        )


def test_the_reverse_pass_clips_each_steps_gradient_as_the_reference():
    model, x, _, _, _ = sa_vae(steps=2)
    mu0, logvar0 = (tf.constant(a.numpy()) for a in model.encoder(x))

    def gradient(clip):
        model.svi_clip = clip
        with tf.GradientTape() as tape:
            tape.watch([mu0, logvar0])
            mu, logvar = model.refine(x, mu0, logvar0, 1.0, False, seed=5)
            value = 1e3 * tf.reduce_sum(mu) + tf.reduce_sum(logvar)
        return tape.gradient(value, [mu0, logvar0])

    # Without a firing clip the gradient is the plain one (large here) ...
    free = gradient(1e9)
    assert float(tf.linalg.global_norm(free)) > 100.0
    # ... and with one, each step's gradient is clipped to svi_clip jointly,
    # so what reaches lambda_0 is at most that (the steps may shrink it).
    clipped = float(tf.linalg.global_norm(gradient(0.5)))
    assert 0.05 < clipped <= 0.5 * (1 + 1e-5), clipped


def test_it_trains_with_fit_and_refuses_bad_settings():
    model, x, _, _, _ = sa_vae(steps=2)
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = -model.elbo(x).mean()
    model.fit(x, batch_size=10, epochs=5, verbose=0)
    assert -model.elbo(x).mean() < before
    with pytest.raises(ValueError, match="momentum"):
        kvc.models.SemiAmortizedVAE(
            model.encoder, model.decoder, model.likelihood, N_LATENT, momentum=1.0
        )
