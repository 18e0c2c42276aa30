"""The synthetic dataset of He et al. 2019 ("Lagging inference networks").

z ~ mixture of four unit-variance Gaussians at (+-2, +-2) (equal weights); a
randomly initialised LSTM language model (embeddings and hidden size 100, z
concatenated to every input, c0 = W_c z, h0 = tanh(c0), logits = W_h h_t +
W_z z, all weights uniform(+-1) except W_z uniform(+-5)) maps z to sequences of
10 tokens over a vocabulary of 1000: the first token is uniform, each next one
is sampled from the softmax. Deterministic given the seed.
"""

import numpy as np
import tensorflow as tf

from keras_vae_collapse.likelihoods.token_categorical import BOS_ID, EOS_ID

#: ids 0..3 are <pad>, <unk>, <s>, </s>; generator token k has id k + 4.
NUM_SPECIAL = 4
SPLITS = {"train": 16_000, "validation": 2_000, "test": 2_000}


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def generate_synthetic(
    num_examples=20_000,
    seq_len=10,
    vocab_size=1000,
    hidden_dim=100,
    latent_dim=2,
    seed=19950927,
):
    """Samples the synthetic corpus.

    Returns (tokens, z, component): int32 [N, seq_len] generator token ids in
    [0, vocab_size), float32 [N, latent_dim] latents, int32 [N] mixture
    component of each latent.
    """
    rng = np.random.default_rng(seed)
    u = lambda *shape, s=1.0: rng.uniform(-s, s, size=shape)  # noqa: E731
    emb = u(vocab_size, hidden_dim)
    w_x = u(hidden_dim + latent_dim, 4 * hidden_dim)
    w_hh = u(hidden_dim, 4 * hidden_dim)
    b = u(4 * hidden_dim)
    w_c = u(latent_dim, hidden_dim)
    w_h = u(hidden_dim, vocab_size)
    w_z = u(latent_dim, vocab_size, s=5.0)

    component = rng.integers(4, size=num_examples).astype(np.int32)
    corners = np.array([[2.0, 2.0], [2.0, -2.0], [-2.0, 2.0], [-2.0, -2.0]])
    z = corners[component][:, :latent_dim] + rng.standard_normal(
        (num_examples, latent_dim)
    )
    c = z @ w_c
    h = np.tanh(c)
    token = rng.integers(vocab_size, size=num_examples)
    tokens = [token]
    z_logits = z @ w_z
    for _ in range(seq_len - 1):
        gates = np.concatenate([emb[token], z], axis=1) @ w_x + h @ w_hh + b
        i, f, g, o = np.split(gates, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        logits = h @ w_h + z_logits
        token = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
        tokens.append(token)
    return (
        np.stack(tokens, axis=1).astype(np.int32),
        z.astype(np.float32),
        component,
    )


def to_model_ids(tokens):
    """Generator tokens [N, T] -> model ids [N, T + 2] with <s> and </s>."""
    tokens = np.asarray(tokens)
    n = len(tokens)
    return np.concatenate(
        [
            np.full((n, 1), BOS_ID, np.int32),
            tokens.astype(np.int32) + NUM_SPECIAL,
            np.full((n, 1), EOS_ID, np.int32),
        ],
        axis=1,
    )


def synthetic_splits(seed=19950927, splits=None, **kwargs):
    """The corpus as model ids split into train / validation / test
    (16k/2k/2k).

    Returns {split: {"x": int32 [N, 12], "z": float32 [N, 2], "component": ...}}.
    """
    splits = dict(SPLITS if splits is None else splits)
    tokens, z, component = generate_synthetic(
        num_examples=sum(splits.values()), seed=seed, **kwargs
    )
    ids = to_model_ids(tokens)
    out, start = {}, 0
    for name, size in splits.items():
        sl = slice(start, start + size)
        out[name] = {"x": ids[sl], "z": z[sl], "component": component[sl]}
        start += size
    return out


def synthetic_datasets(batch_size=16, seed=19950927, shuffle_seed=0, splits=None):
    """tf.data pipelines of the synthetic corpus: {split: batched dataset}.

    The training split is shuffled every epoch (seeded); the others are in
    order. Elements are int32 [B, 12] token ids.
    """
    data = synthetic_splits(seed=seed, splits=splits)
    out = {}
    for name, split in data.items():
        ds = tf.data.Dataset.from_tensor_slices(split["x"])
        if name == "train":
            ds = ds.shuffle(len(split["x"]), seed=shuffle_seed)
        out[name] = ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    return out


def vocab_size(generator_vocab=1000):
    """Model vocabulary size of the synthetic corpus (special ids included)."""
    return generator_vocab + NUM_SPECIAL
