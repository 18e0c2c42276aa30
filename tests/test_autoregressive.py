"""The autoregressive baseline (the decoder alone): its ELBO is the exact
log-likelihood, so the IW-NLL does not depend on the number of samples, the
KL and the features are 0, and training moves the decoder only."""

import keras
import numpy as np
import pytest

import keras_vae_collapse as kvc
from keras_vae_collapse.models import registry

TEXTS = ["the food was great", "bad service here", "ok the food is good"] * 6


def model_and_ids():
    keras.utils.set_random_seed(0)
    tok = kvc.layers.TextTokenizer(kvc.datasets.Vocabulary.build(TEXTS))
    v = tok.vocabulary_size
    model = registry.build(
        "lstm-lm",
        kvc.networks.TextLSTMEncoder(v, 3, 8, 8),
        kvc.networks.TextLSTMDecoder(v, 3, 8, 8),
        kvc.likelihoods.TokenCategorical(v),
        3,
        seed=0,
        tokenizer=tok,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    return model, tok.dense(TEXTS).numpy()


def test_the_bound_is_the_exact_likelihood():
    model, ids = model_and_ids()
    model.fit(ids, batch_size=6, epochs=2, verbose=0)
    elbo = model.elbo(TEXTS[:3])
    for k in (1, 7, 50):
        np.testing.assert_allclose(
            model.log_prob_iw(TEXTS[:3], num_samples=k), elbo, rtol=1e-5
        )
    # The exact log p(x): the decoder's log-likelihood with z = 0.
    x = ids[:3]
    exact = model.likelihood.log_prob(
        model.decoder(np.zeros((3, 3), np.float32), x, training=False), x
    )
    np.testing.assert_allclose(elbo, exact.numpy(), rtol=1e-5)
    terms = model.compute_terms(x)
    np.testing.assert_array_equal(terms["kl"].numpy(), 0.0)
    mu, logvar = model.posterior(TEXTS[:3])
    np.testing.assert_array_equal(mu, 0.0)
    np.testing.assert_array_equal(logvar, 0.0)
    assert "exact" in model.iw_bounds()["iw_nll"]


def test_no_features_and_no_export(tmp_path):
    model, ids = model_and_ids()
    model.build(ids.shape)
    with pytest.raises(ValueError, match="no encoder"):
        model.encode(TEXTS[:2])
    with pytest.raises(ValueError, match="no encoder to export"):
        kvc.export.export_encoder(model, str(tmp_path), "lm")
    assert registry.METHODS["pixelcnn"].model_class is type(model)


def test_training_moves_the_decoder_and_not_the_encoder():
    model, ids = model_and_ids()
    model.build(ids.shape)
    encoder = [w.numpy().copy() for w in model.encoder.weights]
    decoder = [w.numpy().copy() for w in model.decoder.weights]
    before = -model.elbo(TEXTS).mean()
    model.fit(ids, batch_size=6, epochs=5, verbose=0)
    for old, w in zip(encoder, model.encoder.weights, strict=True):
        np.testing.assert_array_equal(old, w.numpy())
    assert any(
        not np.array_equal(old, w.numpy())
        for old, w in zip(decoder, model.decoder.weights, strict=True)
    )
    assert -model.elbo(TEXTS).mean() < before
