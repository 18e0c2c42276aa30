"""The rows of issue 18 with training state of their own resume bit-exactly:
a run stopped after epoch 1 and resumed from its checkpoint ends with the
uninterrupted run's weights. lstm-lm has a frozen encoder (optimizer slots
of the decoder only); sa-vae draws its refinement noise from the model's
seed generator. Skip-VAE and MAE keep exactly a VAE's state (a decoder
option, a loss term), which the kill-and-resume test of test_train_resume.py
and the model contract test cover."""

import numpy as np
import pytest
from test_own_text import text_folder

from keras_vae_collapse import training

SMALL = {"embedding_dim": 8, "hidden_dim": 8, "latent_dim": 3}


def train_tiny(method, data, out, cache, epochs, resume=False, **config):
    """(model, summary) of a 3-steps-per-epoch run on your-own-text data."""
    return training.train(
        method,
        "text",
        data,
        output_dir=out,
        epochs=epochs,
        steps_per_epoch=3,
        cache_dir=cache,
        tensorboard=False,
        verbose=0,
        resume=resume,
        log=lambda *a: None,
        **SMALL,
        **config,
    )


def run(method, data, out, cache, epochs, resume=False):
    return train_tiny(method, data, out, cache, epochs, resume)[0]


@pytest.mark.parametrize("method", ["lstm-lm", "sa-vae(svi_steps=1)"])
def test_resumed_run_equals_the_uninterrupted_one(method, tmp_path):
    data = text_folder(str(tmp_path / "mine"), train=60, valid=10)
    cache = str(tmp_path / "cache")
    whole = run(method, data, str(tmp_path / "whole"), cache, epochs=2)
    first = run(method, data, str(tmp_path / "part"), cache, epochs=1).get_weights()
    resumed = run(method, data, str(tmp_path / "part"), cache, epochs=2, resume=True)
    assert type(resumed) is type(whole)
    for a, b in zip(whole.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # The second epoch changed the weights: the comparison is not vacuous.
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(whole.get_weights(), first, strict=True)
    )
