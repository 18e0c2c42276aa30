"""Linear probes on features: separable data, chance on noise, the protocol."""

import numpy as np
import pytest

import keras_vae_collapse as kvc


def blobs(n, seed, shift=3.0, d=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, d)).astype("float32")
    x[:, 0] += shift * (2 * y - 1)
    return x, y


def test_separable_features_are_classified_and_noise_is_chance():
    x, y = blobs(200, 0)
    t, ty = blobs(1000, 1)
    assert kvc.metrics.linear_probe_accuracy(x, y, t, ty) > 0.98
    # Features that carry no label information give chance accuracy.
    noise = np.random.default_rng(2).standard_normal((1000, 4))
    acc = kvc.metrics.linear_probe_accuracy(x, y, noise, ty)
    assert 0.44 < acc < 0.56


def test_representation_accuracies_grow_with_labels():
    rng = np.random.default_rng(0)
    words = {0: ["bad", "awful", "rude"], 1: ["good", "great", "tasty"]}

    def texts(n, seed):
        r = np.random.default_rng(seed)
        y = r.integers(0, 2, n)
        return [" ".join(r.choice(words[int(c)], 3)) for c in y], y

    def encode(t):  # counts of positive words, plus noise
        pos = np.array([sum(w in words[1] for w in s.split()) for s in t], float)
        return np.stack([pos + rng.normal(0, 1.5, len(t)), rng.normal(size=len(t))], 1)

    test_texts, test_labels = texts(2000, 9)
    result = kvc.metrics.representation_accuracies(
        encode, {n: texts(n, n) for n in (10, 1000)}, test_texts, test_labels
    )
    assert set(result) == {10, 1000}
    assert result[1000] > 0.75


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="features"):
        kvc.metrics.linear_probe_accuracy(
            np.zeros((4, 2)), [0, 1, 0, 1], np.zeros((3, 3)), [0, 1, 0]
        )
