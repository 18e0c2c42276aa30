"""The `precision` config key: mixed_bfloat16 text networks compute in bf16
with fp32 weights, logits and loss; the policy survives the preset and the
checkpoint, so a resumed run equals an uninterrupted one; images refuse it."""

import os

import numpy as np
import pytest
from test_new_rows_resume import train_tiny
from test_own_text import text_folder

from keras_vae_collapse import zoo
from keras_vae_collapse.configs import get_config

MIXED = {"precision": "mixed_bfloat16"}


def run(data, out, cache, epochs, resume=False):
    return train_tiny("vae", data, out, cache, epochs, resume, **MIXED)


def test_mixed_text_model_trains_saves_and_resumes(tmp_path):
    data = text_folder(str(tmp_path / "mine"), train=60, valid=10)
    cache = str(tmp_path / "cache")
    model, summary = run(data, str(tmp_path / "whole"), cache, epochs=2)
    assert model.decoder.lstm.compute_dtype == "bfloat16"
    assert model.encoder.lstm.compute_dtype == "bfloat16"
    assert all(w.dtype == "float32" for w in model.trainable_weights)
    assert summary["config"]["precision"] == "mixed_bfloat16"
    assert np.isfinite(summary["final_train_loss"])
    x = model.tokenizer.dense(["the cat sat on a mat"]).numpy()
    logits = model.decoder(np.zeros((1, 3), np.float32), x)
    assert logits.dtype == "float32"
    # The preset loads with the run's policy and gives the same features.
    loaded = zoo.load_preset(os.path.join(tmp_path, "whole", "model"))
    assert loaded.decoder.lstm.compute_dtype == "bfloat16"
    texts = ["the cat sat", "a dog ran fast"]
    np.testing.assert_array_equal(loaded.encode(texts)[0], model.encode(texts)[0])
    # Interrupted after epoch 1 and resumed: the uninterrupted run's weights.
    run(data, str(tmp_path / "part"), cache, epochs=1)
    resumed, _ = run(data, str(tmp_path / "part"), cache, epochs=2, resume=True)
    assert resumed.decoder.lstm.compute_dtype == "bfloat16"
    for a, b in zip(model.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_precision_is_checked():
    assert get_config("yelp_sentiment")["precision"] == "float32"
    with pytest.raises(ValueError, match="text_lstm networks only"):
        get_config("omniglot", "cpu", **MIXED)
    with pytest.raises(ValueError, match="precision"):
        get_config("yelp_sentiment", "cpu", precision="float16")
