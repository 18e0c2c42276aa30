"""Vocabulary, tokenisation, length bucketing and padding masking."""

import numpy as np
import pytest
import tensorflow as tf
from conftest import text_vae

import keras_vae_collapse as kvc

D = kvc.datasets
TEXTS = [
    "the food was great .",
    "terrible service , never again",
    "ok",
    "the staff the staff the staff is friendly and the food is great too .",
]


def test_round_trip_up_to_unknown_words():
    vocab = D.Vocabulary.build(TEXTS, max_size=14)
    assert len(vocab) == 14 and vocab.tokens[:4] == list(D.SPECIAL_TOKENS)
    for text in TEXTS + ["unseen words the food"]:
        decoded = vocab.decode(vocab.encode(text))
        expected = " ".join(w if w in vocab.tokens else "<unk>" for w in text.split())
        assert decoded == expected
    assert vocab.decode(vocab.encode("the food")) == "the food"


def test_graph_tokenizer_matches_python_encode():
    vocab = D.Vocabulary.build(TEXTS)
    texts = TEXTS + ["never seen", "", "<unk> the </s>"]
    tokenizer = kvc.layers.TextTokenizer(vocab)
    for text, ids in zip(texts, tokenizer(tf.constant(texts)).to_list()):
        assert ids == vocab.encode(text)
    truncated = kvc.layers.TextTokenizer(vocab, max_length=3)(TEXTS[3])
    assert truncated.numpy().tolist() == vocab.encode(TEXTS[3], max_length=3)


def test_save_and_from_file(tmp_path):
    vocab = D.Vocabulary.build(TEXTS)
    vocab.save(tmp_path / "vocab.txt")
    assert D.Vocabulary.from_file(tmp_path / "vocab.txt") == vocab
    with pytest.raises(ValueError, match="duplicate"):
        D.Vocabulary(["a", "b", "a"])


def test_bucketed_batches_cover_every_text_once_with_little_padding():
    rng = np.random.default_rng(0)
    texts = [" ".join(["w"] * int(k)) for k in rng.integers(1, 60, size=300)]
    vocab = D.Vocabulary.build(texts)
    ds = D.text_batches(
        tf.data.Dataset.from_tensor_slices(texts), vocab, 16, shuffle=True
    )
    lengths, padded = [], 0
    for batch in ds:
        b = batch.numpy()
        nonpad = (b != 0).sum(axis=1)
        lengths += nonpad.tolist()
        padded += b.size - nonpad.sum()
        assert (b[:, 0] == kvc.likelihoods.BOS_ID).all()
    assert sorted(lengths) == sorted(len(t.split()) + 2 for t in texts)
    # Buckets 10 tokens wide: at most 9 padding positions per sequence.
    assert padded <= 9 * len(texts)
    unbucketed = D.text_batches(
        tf.data.Dataset.from_tensor_slices(texts), vocab, 16, bucket_width=None
    )
    waste = sum(int((b.numpy() == 0).sum()) for b in unbucketed)
    assert padded < waste / 2


def test_padding_is_masked_out_of_loss_and_counts():
    x = D.Vocabulary.build(TEXTS).encode_batch(TEXTS)
    likelihood = kvc.likelihoods.TokenCategorical(40)
    logits = tf.random.normal([len(TEXTS), x.shape[1] - 1, 40], seed=1)
    base = likelihood.log_prob(logits, x).numpy()
    pad = np.argwhere(x[:, 1:] == 0)
    assert len(pad) > 0
    # Changing the logits at padded positions changes nothing.
    noise = np.zeros(logits.shape, np.float32)
    for i, t in pad:
        noise[i, t] = 100.0 * np.random.default_rng(0).standard_normal(40)
    np.testing.assert_array_equal(likelihood.log_prob(logits + noise, x), base)
    counts = likelihood.num_events(x).numpy()
    np.testing.assert_array_equal(counts, (x[:, 1:] != 0).sum(axis=1))
    # The model's ELBO does not change when extra padding columns are added
    # (float noise only; an unmasked pad token would cost about log 40 nats).
    model = text_vae()
    model.build(x.shape)
    wider = np.pad(x, [(0, 0), (0, 5)])
    np.testing.assert_allclose(model.elbo(x), model.elbo(wider), rtol=1e-4, atol=1e-3)
