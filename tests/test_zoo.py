"""Presets and the zoo: exact round trip, raw strings, checksums, names,
integrity errors."""

import json
import os

import numpy as np
import pytest
from test_serving_export import TEXTS, trained_text_model

import keras_vae_collapse as kvc


def test_round_trip_is_exact_and_encode_takes_raw_strings(tmp_path):
    model, vocab = trained_text_model()
    kvc.zoo.save(model, str(tmp_path), "tiny_text", {"dataset": "toy"})
    assert "tiny_text" in kvc.zoo.list_models(str(tmp_path))
    assert os.path.exists(tmp_path / "tiny_text" / "assets" / "tokenizer")
    loaded = kvc.zoo.load("tiny_text", str(tmp_path))
    assert type(loaded) is type(model)
    for a, b in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    mu, logvar = loaded.encode(TEXTS)
    expected = model.encode(vocab.encode_batch(TEXTS))
    np.testing.assert_array_equal(mu, expected[0])
    np.testing.assert_array_equal(logvar, expected[1])
    assert loaded.preset_metadata["dataset"] == "toy"
    assert loaded.tokenizer.max_length == 50


def test_from_preset_checks_the_class(tmp_path):
    model, _ = trained_text_model()
    folder = model.save_to_preset(str(tmp_path / "p"))
    assert isinstance(kvc.models.VAE.from_preset(folder), kvc.models.ScaleVAE)
    with pytest.raises(TypeError, match="not a BNVAE"):
        kvc.models.BNVAE.from_preset(folder)


def test_tampered_weights_are_detected(tmp_path):
    model, _ = trained_text_model()
    folder = kvc.zoo.save(model, str(tmp_path), "tiny")
    path = f"{folder}/model.weights.h5"
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(kvc.zoo.ZooError, match="checksum"):
        kvc.zoo.load("tiny", str(tmp_path))


def _edit_metadata(folder, edit):
    path = os.path.join(folder, "metadata.json")
    with open(path) as f:
        meta = json.load(f)
    edit(meta)
    with open(path, "w") as f:
        json.dump(meta, f)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: _edit_metadata(f, lambda m: m.pop("sha256")), "no 'sha256'"),
        (
            lambda f: _edit_metadata(f, lambda m: m["sha256"].pop("config.json")),
            "no checksum of config.json",
        ),
        (
            lambda f: open(os.path.join(f, "metadata.json"), "w").write("{oops"),
            "not valid JSON",
        ),
        (lambda f: open(os.path.join(f, "extra.bin"), "w").write("x"), "not covered"),
        (lambda f: os.remove(os.path.join(f, "README.md")), "missing"),
    ],
)
def test_integrity_errors_are_zoo_errors(tmp_path, damage, message):
    model, _ = trained_text_model()
    folder = kvc.zoo.save(model, str(tmp_path), "tiny")
    damage(folder)
    with pytest.raises(kvc.zoo.ZooError, match=message):
        kvc.zoo.load("tiny", str(tmp_path))


def test_save_refuses_to_overwrite_and_replaces_atomically(tmp_path):
    model, _ = trained_text_model()
    folder = kvc.zoo.save(model, str(tmp_path), "tiny")
    with pytest.raises(FileExistsError, match="overwrite"):
        kvc.zoo.save(model, str(tmp_path), "tiny")
    open(os.path.join(folder, "stale.txt"), "w").write("old")
    kvc.zoo.save(model, str(tmp_path), "tiny", overwrite=True)
    assert not os.path.exists(os.path.join(folder, "stale.txt"))
    assert sorted(os.listdir(tmp_path)) == ["tiny"]  # no staging folders left
    kvc.zoo.load("tiny", str(tmp_path))


def test_a_vocabulary_of_the_wrong_size_is_refused():
    model, vocab = trained_text_model()
    with pytest.raises(ValueError, match="vocabulary has"):
        model.set_vocabulary(kvc.datasets.Vocabulary(vocab.tokens[4:] + ["extra"]))


def test_unknown_name_lists_the_known_ones(tmp_path):
    model, _ = trained_text_model()
    kvc.zoo.save(model, str(tmp_path), "present")
    with pytest.raises(kvc.zoo.ZooError, match="known: .*present"):
        kvc.zoo.load("absent", str(tmp_path))


def test_recipe_without_artifacts_says_so(tmp_path, monkeypatch):
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "planned.json").write_text('{"name": "planned", "dataset": "yahoo"}')
    monkeypatch.setenv("KVC_ZOO_RECIPES", str(recipes))
    models = tmp_path / "models"
    models.mkdir()
    assert kvc.zoo.list_models(str(models)) == ["planned"]
    assert kvc.zoo.recipe("planned")["dataset"] == "yahoo"
    with pytest.raises(kvc.zoo.ZooError, match="no trained artifacts"):
        kvc.zoo.load("planned", str(models))
