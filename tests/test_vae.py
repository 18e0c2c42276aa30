import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import VOCAB, text_vae, token_data

import keras_vae_collapse as kvc


def trained(epochs=1, **kwargs):
    kwargs.setdefault("kl_schedule", kvc.schedules.LinearAnnealing(4, 0.1, 2))
    model = text_vae(seed=3, **kwargs)
    model.compile(keras.optimizers.Adam(1e-2))
    history = model.fit(
        token_data(), batch_size=16, epochs=epochs, shuffle=False, verbose=0
    )
    return model, history


def test_fit_reports_the_objective():
    model, history = trained(epochs=2)
    logs = history.history
    for key in ("loss", "rec", "kl", "elbo", "kl_weight"):
        assert key in logs and np.all(np.isfinite(logs[key]))
    # elbo = -(rec + kl); loss = rec + beta kl with the annealed beta
    np.testing.assert_allclose(
        logs["elbo"], -(np.array(logs["rec"]) + logs["kl"]), rtol=1e-5
    )
    assert int(model.kl_step.numpy()) == 8
    assert logs["kl_weight"][-1] == pytest.approx(min(1.0, 0.1 + 8 * 0.9 / 8))
    result = model.evaluate(
        token_data(seed=1), batch_size=16, verbose=0, return_dict=True
    )
    assert set(result) >= {"loss", "rec", "kl", "elbo"}


def test_training_reduces_the_loss():
    model, history = trained(epochs=8)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_public_methods_shapes():
    model, _ = trained()
    x = token_data(10)
    mu, logvar = model.encode(x)
    assert mu.shape == logvar.shape == (10, 2)
    assert model.elbo(x).shape == (10,)
    log_px = model.log_prob_iw(x, num_samples=8, chunk_size=3)
    assert log_px.shape == (10,) and np.all(log_px <= 0)
    samples = model.sample(4, max_length=7)
    assert samples.shape == (4, 7) and samples.max() < VOCAB
    recon = model.reconstruct(x[:3])
    assert recon.shape == (3, x.shape[1] - 1)


def test_encode_is_deterministic_and_batch_independent():
    model, _ = trained()
    x = token_data(20)
    a = model.encode(x, batch_size=20)[0]
    b = model.encode(x, batch_size=7)[0]
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_save_load_is_exact_and_resumes(tmp_path):
    x = token_data()
    keras.utils.set_random_seed(7)
    straight, _ = trained(epochs=3)
    keras.utils.set_random_seed(7)
    first, _ = trained(epochs=2)
    path = str(tmp_path / "model.keras")
    first.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.encode(x)[0], first.encode(x)[0])
    np.testing.assert_array_equal(loaded.encode(x)[1], first.encode(x)[1])
    assert int(loaded.kl_step.numpy()) == int(first.kl_step.numpy()) == 8
    assert int(loaded.optimizer.iterations.numpy()) == 8
    assert isinstance(loaded.kl_schedule, kvc.schedules.LinearAnnealing)
    loaded.fit(x, batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert int(loaded.kl_step.numpy()) == int(straight.kl_step.numpy()) == 12
    for a, b in zip(straight.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_config_round_trip_keeps_free_bits_and_schedule(tmp_path):
    model, _ = trained(free_bits=kvc.schedules.FreeBits(0.5))
    path = str(tmp_path / "fb.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.free_bits, kvc.schedules.FreeBits)
    assert loaded.free_bits.lambda_ == 0.5
    assert loaded.kl_schedule.get_config() == model.kl_schedule.get_config()


def test_free_bits_enter_the_loss_not_the_reported_kl():
    model, history = trained(kl_schedule=1.0, free_bits=kvc.schedules.FreeBits(2.0))
    logs = history.history
    # every dimension is below 2 nats: loss = rec + n * lambda
    assert logs["loss"][0] == pytest.approx(logs["rec"][0] + 2 * 2.0, rel=1e-4)
    assert logs["kl"][0] < 2 * 2.0


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros((4,), np.int32), ValueError, "rank 2"),
        (np.zeros((4, 5, 1), np.int32), ValueError, "rank 2"),
        (np.zeros((4, 5), np.float32), TypeError, "integer token ids"),
        (np.full((4, 5), VOCAB + 3, np.int32), ValueError, "outside the vocabulary"),
        (np.full((4, 5), -1, np.int32), ValueError, "outside the vocabulary"),
        (np.array([["a", "b"]]), TypeError, "numeric"),
    ],
)
def test_bad_text_input_gives_a_clear_error(bad, error, message):
    model, _ = trained()
    with pytest.raises(error, match=message):
        model.encode(bad)


def test_bad_input_inside_fit_names_the_problem():
    model, _ = trained()
    bad = token_data()
    bad[3, 2] = VOCAB + 10
    # arrays are checked before training; a dataset by the compiled step
    with pytest.raises(ValueError, match="outside the vocabulary"):
        model.fit(bad, batch_size=16, epochs=1, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices(bad).batch(16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="vocab_size"):
        model.fit(dataset, epochs=1, verbose=0)


def test_nan_in_real_valued_input_gives_a_clear_error():
    model = kvc.models.VAE(
        kvc.networks.MLPEncoder(2, (8,)),
        kvc.networks.MLPDecoder((5,), (8,)),
        kvc.likelihoods.Gaussian((5,)),
        2,
    )
    model.compile("adam")
    x = np.random.default_rng(0).normal(size=(32, 5)).astype(np.float32)
    model.fit(x, batch_size=16, epochs=1, verbose=0)
    x[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.encode(x)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(x, batch_size=16, epochs=1, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN"):
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), verbose=0)
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        model.encode(np.zeros((3, 4), np.float32))


def test_bernoulli_rejects_values_outside_unit_interval():
    model = kvc.models.VAE(
        kvc.networks.MLPEncoder(2),
        kvc.networks.MLPDecoder((2, 3, 1)),
        kvc.likelihoods.Bernoulli((2, 3, 1)),
        2,
    )
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        model.encode(np.full((2, 2, 3, 1), 2.0, np.float32))
    mu, _ = model.encode(np.ones((2, 2, 3, 1), np.float32))
    assert mu.shape == (2, 2)
