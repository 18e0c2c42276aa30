"""The contract every registered method and every posterior transform keeps
(in the spirit of keras-hub's `run_model_saving_test`): it builds, fits two
steps through `fit_arguments`, round-trips `get_config`, saves and loads
`.keras` and presets exactly, and runs `encode`, `elbo`, `log_prob_iw`,
`sample` and the serving export. A new registry entry gets all of this."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc
from keras_vae_collapse.models import registry

TEXTS = ["the food was great", "bad service here", "ok the food is good"] * 6
#: Small settings that keep each method's step cheap (registry hyperparameters).
CHEAP = {
    "agg-vae": {"max_inner_steps": 3, "window": 2},
    "agg-vae-ref": {"max_inner_steps": 3, "window": 2},
    "sa-vae": {"svi_steps": 2},
    "libi": {"num_prior_samples": 8, "chunk_size": 4, "likelihood_epochs": 1},
}
TRANSFORMS = {
    "BatchNormMean": lambda: kvc.layers.BatchNormMean(0.6),
    "DUPosterior": lambda: kvc.layers.DUPosterior(0.5, 0.2),
    "DeltaPosterior": lambda: kvc.layers.DeltaPosterior(0.15),
}


def tokenizer():
    return kvc.layers.TextTokenizer(kvc.datasets.Vocabulary.build(TEXTS))


def networks(vocab):
    return (
        kvc.networks.TextLSTMEncoder(vocab, 2, 8, 8),
        kvc.networks.TextLSTMDecoder(vocab, 2, 8, 8),
        kvc.likelihoods.TokenCategorical(vocab),
        2,
    )


def trained(make):
    """A model from `make(tokenizer)`, fitted two steps as a driver would."""
    keras.utils.set_random_seed(0)
    model = make(tokenizer())
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    ids = model.tokenizer.dense(TEXTS).numpy()
    model.fit(
        ids,
        batch_size=8,
        epochs=1,
        steps_per_epoch=2,
        verbose=0,
        **model.fit_arguments(train=ids, validation=(ids,)),
    )
    return model


def by_registry(name):
    def make(tok):
        return registry.build(
            name,
            *networks(tok.vocabulary_size),
            steps_per_epoch=2,
            epochs=1,
            seed=0,
            tokenizer=tok,
            **CHEAP.get(name, {}),
        )

    return make


def by_transform(name):
    def make(tok):
        return kvc.models.VAE(
            *networks(tok.vocabulary_size),
            posterior_transform=TRANSFORMS[name](),
            tokenizer=tok,
            seed=0,
        )

    return make


CASES = [pytest.param(by_registry(n), id=n) for n in registry.method_names()] + [
    pytest.param(by_transform(n), id=f"VAE+{n}") for n in TRANSFORMS
]


def assert_same_weights(a, b):
    assert len(a.weights) == len(b.weights)
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa.numpy(), wb.numpy())


@pytest.mark.parametrize("make", CASES)
def test_model_contract(make, tmp_path):
    model = trained(make)
    # get_config round trip
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    # public methods, on raw strings
    if not model.has_encoder:  # the decoder alone: no features, nothing to serve
        with pytest.raises(ValueError, match="no encoder"):
            model.encode(TEXTS[:3])
        with pytest.raises(ValueError, match="no encoder"):
            kvc.export.export_encoder(model, str(tmp_path), "m")
    encode = model.encode if model.has_encoder else model.posterior
    mu, logvar = encode(TEXTS[:3])
    assert mu.shape == logvar.shape == (3, 2) and np.isfinite(mu).all()
    assert np.isfinite(model.elbo(TEXTS[:3])).all()
    assert np.isfinite(model.log_prob_iw(TEXTS[:3], num_samples=3)).all()
    assert model.sample(2, max_length=5).shape[0] == 2
    # .keras: exact, with the tokenizer inside
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert_same_weights(model, loaded)
    np.testing.assert_array_equal(
        (loaded.encode if loaded.has_encoder else loaded.posterior)(TEXTS[:3])[0], mu
    )
    # preset: exact
    preset = loaded.save_to_preset(str(tmp_path / "preset"))
    again = kvc.models.VAE.from_preset(preset)
    assert_same_weights(model, again)
    np.testing.assert_array_equal(
        (again.encode if again.has_encoder else again.posterior)(TEXTS[:3])[0], mu
    )
    # serving export equals encode on raw strings
    if model.has_encoder:
        exported = kvc.export.export_encoder(model, str(tmp_path), "m")
        served = tf.saved_model.load(exported)
        out = served.signatures["serving_default"](text=tf.constant(TEXTS[:3]))
        np.testing.assert_allclose(out["z_mean"].numpy(), mu, atol=1e-6)
    # the end-of-epoch hook is public and callable outside fit
    model.on_epoch_end(1, {})


FRESH = """
import sys
import keras
import keras_vae_collapse  # registers the classes
model = keras.saving.load_model(sys.argv[1])
print(model.encode(["the food was great"])[0].tolist())
"""


def test_a_saved_text_model_encodes_raw_strings_in_a_fresh_process(tmp_path):
    model = trained(by_registry("vae"))
    path = str(tmp_path / "m.keras")
    model.save(path)
    assert not [f for f in os.listdir(tmp_path) if f != "m.keras"]  # no side file
    done = subprocess.run(
        [sys.executable, "-c", FRESH, path],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = np.array(eval(done.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(got, model.encode(["the food was great"])[0])


def test_every_entry_names_its_paper_and_row():
    for name in registry.method_names():
        method = registry.METHODS[name]
        assert method.paper and method.row, name
        assert issubclass(method.model_class, kvc.models.VAE)
