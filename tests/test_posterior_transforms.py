import math
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import VOCAB, token_data

import keras_vae_collapse as kvc
from keras_vae_collapse import distributions, layers


def contains(variables, variable):
    return any(v is variable for v in variables)


def encoder_outputs(n=64, dim=5, seed=0):
    rng = np.random.default_rng(seed)
    mu = rng.normal(2.0, rng.uniform(0.1, 3.0, size=dim), size=(n, dim))
    logvar = rng.normal(-1.0, 1.0, size=(n, dim))
    return mu.astype(np.float32), logvar.astype(np.float32)


# -- BN-VAE ------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.3, 0.6, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bn_batch_kl_is_at_least_the_bound(gamma, seed):
    bn = layers.BatchNormMean(gamma)
    bn.build((None, 5))
    bn.beta.assign(np.random.default_rng(seed).normal(size=5))  # any learned beta
    mu, logvar = encoder_outputs(seed=seed)
    out_mu, out_logvar = bn(mu, logvar, training=True)
    kl = distributions.kl_to_prior(out_mu, out_logvar).numpy().mean()
    # n gamma^2 / 2, up to BN's epsilon: var / (var + eps) per dimension
    shrink = (mu.var(0) / (mu.var(0) + bn.epsilon)).min()
    assert kl >= 5 * gamma**2 / 2 * shrink
    np.testing.assert_array_equal(out_logvar, logvar)


def test_bn_gamma_is_fixed_and_beta_learnable():
    model = kvc.models.BNVAE(
        kvc.networks.MLPEncoder(3),
        kvc.networks.MLPDecoder((4,)),
        kvc.likelihoods.Gaussian((4,)),
        3,
        gamma=0.7,
    )
    model.compile(keras.optimizers.Adam(0.05))
    x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    model.fit(x, batch_size=16, epochs=2, verbose=0)
    bn = model.posterior_transform
    assert not contains(model.trainable_variables, bn.gamma_vector)
    np.testing.assert_allclose(bn.gamma_vector.numpy(), 0.7)
    assert contains(model.trainable_variables, bn.beta)
    assert contains(model.encoder_variables(), bn.beta)
    assert np.abs(bn.beta.numpy()).max() > 0
    assert np.abs(bn.moving_mean.numpy()).max() > 0  # running statistics move


def test_bn_evaluation_uses_running_statistics():
    bn = layers.BatchNormMean(0.5)
    mu, logvar = encoder_outputs()
    bn(mu, logvar, training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mu.mean(0), rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), 0.9 + 0.1 * mu.var(0, ddof=1), rtol=1e-5
    )
    single, _ = bn(mu[:1], logvar[:1], training=False)
    expected = (
        0.5
        * (mu[:1] - bn.moving_mean.numpy())
        / np.sqrt(bn.moving_variance.numpy() + 1e-5)
    )
    np.testing.assert_allclose(single, expected, rtol=1e-5)
    before = bn.moving_mean.numpy().copy()
    bn(mu[:1], logvar[:1], training=True)  # batch of one: no statistics
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


# -- DU-VAE ------------------------------------------------------------------
def du_model(kl_schedule):
    return kvc.models.DUVAE(
        kvc.networks.MLPEncoder(4),
        kvc.networks.MLPDecoder((6,)),
        kvc.likelihoods.Gaussian((6,)),
        4,
        kl_schedule=kl_schedule,
        p_drop=0.5,
    )


def test_du_gamma_is_renormalised_to_the_target_rms():
    du = layers.DUPosterior(gamma=0.5)
    du.build((None, 4))
    du.norm.gamma_vector.assign([3.0, 0.1, 1.0, 2.0])
    assert contains(du.trainable_variables, du.norm.gamma_vector)
    scale = du.norm.scale().numpy()
    assert np.sqrt(np.mean(scale**2)) == pytest.approx(0.5)
    np.testing.assert_allclose(scale / scale[2], [3.0, 0.1, 1.0, 2.0], rtol=1e-5)


def test_du_floor_and_dropout_are_off_before_the_kl_weight_reaches_one():
    model = du_model(kvc.schedules.LinearAnnealing(10, kl_start=0.0, warm_up_epochs=1))
    x = np.random.default_rng(0).normal(size=(32, 6)).astype(np.float32)
    model.build(x.shape)
    mu, logvar = model.encoder(x)
    terms = model.compute_terms(x, training=True)
    np.testing.assert_allclose(terms["logvar"], logvar, rtol=1e-6)  # no floor
    np.testing.assert_allclose(
        terms["kl_dims"].numpy().sum(-1), terms["kl"].numpy(), rtol=1e-5
    )  # no dropout


def test_du_floor_and_dropout_are_on_afterwards_and_dropout_only_in_training():
    model = du_model(1.0)  # constant weight 1: active from the start
    x = np.random.default_rng(0).normal(size=(64, 6)).astype(np.float32)
    model.build(x.shape)
    _, raw_logvar = model.encoder(x)
    floor = model.posterior_transform.floor
    terms = model.compute_terms(x, training=True)
    np.testing.assert_allclose(
        np.exp(terms["logvar"]), np.exp(raw_logvar) + floor, rtol=1e-5
    )
    # dropped dimensions fall to the floor; the loss KL differs from the report
    mu, floored, dropped = model.posterior_transform(
        *model.encoder(x), training=True, active=True
    )
    at_floor = np.isclose(np.exp(dropped.numpy()), floor, rtol=1e-4)
    assert 0.3 < at_floor.mean() < 0.7  # p_drop = 0.5
    kept = ~at_floor
    np.testing.assert_allclose(
        np.exp(dropped.numpy())[kept],
        (np.exp(raw_logvar.numpy()) / 0.5 + floor)[kept],
        rtol=1e-4,
    )
    assert not np.allclose(terms["kl_dims"].numpy().sum(-1), terms["kl"].numpy())
    _, eval_floored, eval_dropped = model.posterior_transform(
        *model.encoder(x), training=False, active=True
    )
    np.testing.assert_allclose(eval_dropped, eval_floored)  # no dropout at eval
    np.testing.assert_allclose(model.encode(x)[1], eval_floored, rtol=1e-5)


# -- delta-VAE ---------------------------------------------------------------
@pytest.mark.parametrize("delta", [0.05, 0.15, 0.5])
def test_delta_every_dimension_has_kl_at_least_delta(delta):
    lower, upper = layers.delta_posterior.variance_interval(delta)
    for s in (lower, upper):
        assert math.log(s) - s + 2 * delta + 1 == pytest.approx(0.0, abs=1e-9)
    transform = layers.DeltaPosterior(delta)
    raw = np.random.default_rng(0).normal(scale=20.0, size=(2, 1000, 8))
    mu, logvar = transform(raw[0].astype(np.float32), raw[1].astype(np.float32))
    kl = distributions.kl_per_dimension(mu, logvar).numpy()
    assert kl.min() >= delta - 1e-5
    assert mu.numpy().min() >= 0.0
    var = np.exp(logvar.numpy())
    assert var.min() >= lower * (1 - 1e-5) and var.max() <= upper * (1 + 1e-5)


def test_delta_gradients_stay_finite_at_the_variance_bounds():
    # s at a root of the interval and mu_raw <= 0 put sqrt at 0: the
    # gradient must not be inf / NaN (it was, and training diverged).
    transform = layers.DeltaPosterior(0.15)
    mu_raw = tf.constant([[-3.0, 0.0, -50.0]])
    logvar_raw = tf.constant([[-80.0, 80.0, 0.0]])
    with tf.GradientTape() as tape:
        tape.watch([mu_raw, logvar_raw])
        mu, logvar = transform(mu_raw, logvar_raw)
        loss = tf.reduce_sum(mu) + tf.reduce_sum(logvar)
    for grad in tape.gradient(loss, [mu_raw, logvar_raw]):
        assert np.isfinite(grad.numpy()).all()


# -- Scale-VAE ---------------------------------------------------------------
def scale_model(f_epochs=1, des_std=0.8):
    return kvc.models.ScaleVAE(
        kvc.networks.MLPEncoder(3, (8,)),
        kvc.networks.MLPDecoder((5,), (8,)),
        kvc.likelihoods.Gaussian((5,)),
        3,
        des_std=des_std,
        f_epochs=f_epochs,
        seed=0,
    )


class RecordFactors(keras.callbacks.Callback):
    """Computes every batch's factor independently (numpy, before the step)."""

    def __init__(self, x, batch_size, des_std):
        super().__init__()
        self.x, self.batch_size, self.des_std = x, batch_size, des_std
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append([])

    def on_train_batch_begin(self, batch, logs=None):
        xb = self.x[batch * self.batch_size : (batch + 1) * self.batch_size]
        mu = self.model.encoder(xb)[0].numpy()
        self.per_epoch[-1].append(self.des_std / np.sqrt(mu.var(0, ddof=1) + 1e-6))


def test_scale_factor_after_an_epoch_is_the_mean_of_its_batch_factors():
    model = scale_model(f_epochs=1)
    model.compile(keras.optimizers.Adam(1e-2))
    x = np.random.default_rng(0).normal(size=(96, 5)).astype(np.float32)
    recorder = RecordFactors(x, 16, 0.8)
    history = model.fit(
        x, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[recorder]
    )
    expected = np.mean(recorder.per_epoch[0], axis=0)
    # the epoch is closed when the next begins; until then the model
    # evaluates with the running mean, which is the same factor
    np.testing.assert_allclose(
        model.scale.current_factor().numpy(), expected, rtol=1e-4
    )
    assert int(model.scale.epoch.numpy()) == 0
    assert history.history["scale_factor"][0] == pytest.approx(expected.mean(), 1e-4)
    # after f_epochs the factor is constant within the epoch
    model.fit(
        x, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[recorder]
    )
    np.testing.assert_allclose(model.scale.factor.numpy(), expected, rtol=1e-4)
    model.on_epoch_begin(2)
    np.testing.assert_allclose(
        model.scale.factor.numpy(), np.mean(recorder.per_epoch[1], axis=0), rtol=1e-4
    )
    assert int(model.scale.epoch.numpy()) == 2


class FactorAtValidation(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.factors = []

    def on_test_begin(self, logs=None):
        self.factors.append(self.model.scale.current_factor().numpy().copy())


def test_scale_keeps_the_factor_it_was_validated_with():
    # A best-checkpoint reload keeps the state of an epoch's end: that state
    # must be the model the epoch's validation scored.
    model = scale_model(f_epochs=1)
    model.compile(keras.optimizers.Adam(1e-2))
    x = np.random.default_rng(0).normal(size=(96, 5)).astype(np.float32)
    seen = FactorAtValidation()
    model.fit(
        x,
        batch_size=16,
        epochs=3,
        verbose=0,
        validation_data=(x[:32],),
        callbacks=[seen],
    )
    assert len(seen.factors) == 3
    np.testing.assert_array_equal(
        model.scale.current_factor().numpy(), seen.factors[-1]
    )
    assert not np.allclose(seen.factors[1], seen.factors[2])  # it does change


def test_scale_kl_uses_the_unscaled_posterior_and_no_gradient_reaches_f():
    model = scale_model(des_std=3.0)
    x = np.random.default_rng(1).normal(size=(32, 5)).astype(np.float32)
    model.build(x.shape)
    mu, logvar = model.encoder(x)
    terms = model.compute_terms(x, training=True)
    np.testing.assert_allclose(
        terms["kl"], distributions.kl_to_prior(mu, logvar), rtol=1e-6
    )
    mu = tf.Variable(mu)
    with tf.GradientTape() as tape:
        scaled = model.scale(mu, training=True)
        total = tf.reduce_sum(scaled)
    factor = model.scale.last_factor.numpy()
    # d(sum f * mu) / d mu = f exactly: nothing flows through std(mu)
    np.testing.assert_allclose(
        tape.gradient(total, mu).numpy(), np.broadcast_to(factor, mu.shape), rtol=1e-6
    )


def test_scale_reports_the_objective_kl_and_the_mi_of_the_scaled_posterior():
    model = scale_model(des_std=2.0)
    model.compile(keras.optimizers.Adam(1e-2))
    x = np.random.default_rng(4).normal(size=(96, 5)).astype(np.float32)
    model.fit(x, batch_size=16, epochs=2, verbose=0)
    mu, logvar = model.posterior(x)
    scaled_mu, scaled_logvar = model.encode(x)
    factor = model.scale.factor.numpy()
    np.testing.assert_allclose(scaled_mu, factor * mu, rtol=1e-5)
    np.testing.assert_array_equal(scaled_logvar, logvar)
    stats = kvc.metrics.collapse_statistics(model, x, batch_size=32, seed=0)
    assert stats["kl"] == pytest.approx(kvc.metrics.mean_kl(mu, logvar), rel=1e-5)
    assert stats["kl"] != pytest.approx(
        kvc.metrics.mean_kl(scaled_mu, scaled_logvar), rel=1e-2
    )
    mi = kvc.metrics.mutual_information(
        scaled_mu, scaled_logvar, "batch", batch_size=[32, 32, 32], seed=0
    )
    assert stats["mi_batch"] == pytest.approx(mi, rel=1e-5)
    assert stats["mi_dataset"] == pytest.approx(
        kvc.metrics.mutual_information(scaled_mu, scaled_logvar, "dataset", seed=0),
        rel=1e-5,
    )
    # every other method: posterior == encode
    vae = kvc.models.VAE(
        kvc.networks.MLPEncoder(3, (8,)),
        kvc.networks.MLPDecoder((5,), (8,)),
        kvc.likelihoods.Gaussian((5,)),
        3,
    )
    for a, b in zip(vae.posterior(x), vae.encode(x)):
        np.testing.assert_array_equal(a, b)


def test_scale_fit_warns_about_plain_sgd_only():
    x = np.random.default_rng(0).normal(size=(32, 5)).astype(np.float32)
    model = scale_model()
    model.compile(keras.optimizers.SGD(0.1))
    with pytest.warns(UserWarning, match="plain SGD"):
        model.fit(x, batch_size=16, verbose=0)
    model = scale_model()
    model.compile(keras.optimizers.Adam(1e-3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(x, batch_size=16, verbose=0)


def test_scale_batch_of_one_keeps_the_previous_factor():
    scale = layers.PosteriorScale(1.0)
    mu = np.random.default_rng(2).normal(size=(10, 3)).astype(np.float32)
    scale(mu, training=True)
    previous = scale.last_factor.numpy().copy()
    out = scale(mu[:1], training=True)
    np.testing.assert_allclose(out.numpy(), previous * mu[:1], rtol=1e-6)
    assert float(scale.factor_count.numpy()) == 1.0


def test_scale_state_survives_save_load_and_resumes(tmp_path):
    x = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    keras.utils.set_random_seed(3)
    straight = scale_model(f_epochs=1)
    straight.compile(keras.optimizers.Adam(1e-2))
    straight.fit(x, batch_size=16, epochs=3, shuffle=False, verbose=0)
    keras.utils.set_random_seed(3)
    first = scale_model(f_epochs=1)
    first.compile(keras.optimizers.Adam(1e-2))
    first.fit(x, batch_size=16, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / "scale.keras")
    first.save(path)
    loaded = keras.saving.load_model(path)
    for name in ("factor", "last_factor", "factor_sum", "factor_count", "epoch"):
        np.testing.assert_array_equal(
            getattr(loaded.scale, name).numpy(), getattr(first.scale, name).numpy()
        )
    loaded.fit(x, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        loaded.scale.factor.numpy(), straight.scale.factor.numpy()
    )


def test_scale_generation_multiplies_prior_samples_by_f():
    model = scale_model()
    model.build((None, 5))
    model.scale.factor.assign([2.0, 0.5, 3.0])
    model.scale.epoch.assign(5)
    z = tf.random.stateless_normal([4, 3], [1, 2])
    np.testing.assert_allclose(model.generation_latent(z), z * [2.0, 0.5, 3.0])


# -- all four ----------------------------------------------------------------
def text_method(cls, **kwargs):
    return cls(
        kvc.networks.TextLSTMEncoder(VOCAB, 2, 8, 8),
        kvc.networks.TextLSTMDecoder(VOCAB, 2, 8, 8),
        kvc.likelihoods.TokenCategorical(VOCAB),
        2,
        kl_schedule=kvc.schedules.LinearAnnealing(4, 0.1, 1),
        seed=0,
        **kwargs,
    )


@pytest.mark.parametrize(
    "cls,kwargs",
    [
        (kvc.models.BNVAE, {"gamma": 0.5}),
        (kvc.models.DUVAE, {"p_drop": 0.1}),
        (kvc.models.DeltaVAE, {"delta": 0.2}),
        (kvc.models.ScaleVAE, {"des_std": 0.9, "f_epochs": 2}),
    ],
)
def test_methods_train_save_and_load_exactly(cls, kwargs, tmp_path):
    model = text_method(cls, **kwargs)
    model.compile(keras.optimizers.Adam(1e-2))
    x = token_data(64)
    model.fit(x, batch_size=16, epochs=2, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    for key, value in kwargs.items():
        assert getattr(loaded, key) == value
    np.testing.assert_array_equal(loaded.encode(x)[0], model.encode(x)[0])
    np.testing.assert_array_equal(loaded.encode(x)[1], model.encode(x)[1])
    assert loaded.kl_schedule.get_config() == model.kl_schedule.get_config()
    assert np.all(np.isfinite(loaded.log_prob_iw(x[:4], num_samples=4)))
