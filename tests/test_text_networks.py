import numpy as np
import tensorflow as tf
from conftest import VOCAB, token_data

import keras_vae_collapse as kvc


def test_encoder_ignores_padding():
    enc = kvc.networks.TextLSTMEncoder(VOCAB, 3, 6, 7)
    x = token_data(5, length=8)
    padded = np.concatenate([x, np.zeros((5, 4), np.int32)], axis=1)
    for a, b in zip(enc(x), enc(padded)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_reference_initialisation_and_no_bias_projections():
    enc = kvc.networks.TextLSTMEncoder(VOCAB, 3, 6, 7)
    dec = kvc.networks.TextLSTMDecoder(VOCAB, 3, 6, 7)
    x = token_data(2)
    enc(x)
    dec(tf.zeros((2, 3)), x)
    assert np.abs(enc.embedding.embeddings.numpy()).max() <= 0.1
    assert np.abs(enc.embedding.embeddings.numpy()).max() > 0.05
    for w in enc.lstm.weights + dec.lstm.weights + enc.head.weights + dec.head.weights:
        assert np.abs(w.numpy()).max() <= 0.01
    assert not enc.head.use_bias and not dec.head.use_bias
    assert not dec.latent_to_cell.use_bias


def test_decoder_uses_z_at_every_step_and_is_causal():
    dec = kvc.networks.TextLSTMDecoder(VOCAB, 3, 6, 7, dropout=0.0)
    x = token_data(4, length=9)
    z = tf.random.normal((4, 3))
    logits = dec(z, x).numpy()
    assert logits.shape == (4, 8, VOCAB)
    # z enters every step (initial state and per-step input)
    other = dec(z + 1.0, x).numpy()
    assert np.all(np.abs(logits - other).max(axis=-1) > 0)
    # step t depends on tokens < t+1 only
    changed = x.copy()
    changed[:, 5] = 7
    later = dec(z, changed).numpy()
    np.testing.assert_allclose(logits[:, :5], later[:, :5], atol=1e-6)


def test_decoder_initial_state_is_tanh_of_projected_z():
    dec = kvc.networks.TextLSTMDecoder(VOCAB, 2, 4, 5, dropout=0.0)
    x = token_data(3)
    z = tf.random.normal((3, 2))
    dec(z, x)
    c0 = dec.latent_to_cell(z)
    h, _ = dec.lstm.cell(dec._step_inputs(z, x[:, :1], False)[:, 0], [tf.tanh(c0), c0])
    np.testing.assert_allclose(
        dec.head(h).numpy(), dec(z, x).numpy()[:, 0], rtol=1e-5, atol=1e-6
    )
