"""zoo.save / zoo.load: exact round trip, raw strings, checksums, names."""

import numpy as np
import pytest
from test_serving_export import TEXTS, trained_text_model

import keras_vae_collapse as kvc


def test_round_trip_is_exact_and_encode_takes_raw_strings(tmp_path):
    model, vocab = trained_text_model()
    kvc.zoo.save(
        model, str(tmp_path), "tiny_text", {"dataset": "toy", "max_length": 20}, vocab
    )
    assert "tiny_text" in kvc.zoo.list_models(str(tmp_path))
    loaded = kvc.zoo.load("tiny_text", str(tmp_path))
    assert type(loaded) is type(model)
    for a, b in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    mu, logvar = loaded.encode(TEXTS)
    expected = model.encode(vocab.encode_batch(TEXTS))
    np.testing.assert_array_equal(mu, expected[0])
    np.testing.assert_array_equal(logvar, expected[1])
    assert loaded.zoo_metadata["dataset"] == "toy"
    with pytest.raises(TypeError, match="vocabulary"):
        model.encode(TEXTS)  # the original has none attached


def test_tampered_weights_are_detected(tmp_path):
    model, vocab = trained_text_model()
    folder = kvc.zoo.save(model, str(tmp_path), "tiny", vocabulary=vocab)
    path = f"{folder}/model.weights.h5"
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(kvc.zoo.ZooError, match="checksum"):
        kvc.zoo.load("tiny", str(tmp_path))


def test_unknown_name_lists_the_known_ones(tmp_path):
    model, vocab = trained_text_model()
    kvc.zoo.save(model, str(tmp_path), "present", vocabulary=vocab)
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
