"""Linear probes on features: separable data, chance on noise, the penalty
chosen on validation, tf-idf features, the protocol."""

import numpy as np
import pytest
import tensorflow as tf

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
        encode,
        {n: texts(n, n) for n in (10, 1000)},
        test_texts,
        test_labels,
        validation=texts(500, 7),
    )
    assert set(result) == {10, 1000}
    assert result[1000]["accuracy"] > 0.75
    assert result[1000]["l2"] in kvc.metrics.L2_GRID
    assert 0.0 <= result[10]["validation_accuracy"] <= 1.0


def test_the_penalty_is_chosen_on_validation_not_test():
    # 60 training points in 50 dimensions, one informative: an unpenalised
    # probe overfits, and validation picks a larger penalty.
    x, y = blobs(60, 0, shift=1.0, d=50)
    v, vy = blobs(2000, 1, shift=1.0, d=50)
    t, ty = blobs(2000, 2, shift=1.0, d=50)
    chosen = kvc.metrics.probe((x, y), (t, ty), (v, vy), l2_grid=(0.0, 0.1))
    scores = {
        l2: kvc.metrics.probe((x, y), (v, vy), l2_grid=(l2,))["accuracy"]
        for l2 in (0.0, 0.1)
    }
    assert chosen["l2"] == max(scores, key=scores.get)
    assert chosen["validation_accuracy"] == max(scores.values())
    # the test split cannot change the choice
    swapped = kvc.metrics.probe((x, y), (v[::-1], 1 - vy[::-1]), (v, vy), (0.0, 0.1))
    assert swapped["l2"] == chosen["l2"]
    with pytest.raises(ValueError, match="validation"):
        kvc.metrics.probe((x, y), (t, ty), l2_grid=(0.0, 0.1))


def test_tfidf_features_match_their_definition_and_classify_words():
    texts = ["good food", "good good service", "bad food", "awful service"]
    tfidf = kvc.metrics.TfidfFeatures(ngrams=2, min_count=1).fit(texts)
    rows = tf.sparse.to_dense(tfidf(["good good food", "unseen words"])).numpy()
    # 4 texts; document frequencies of the n-grams of "good good food"
    df = {"good": 2, "food": 2, "good good": 1, "good food": 1}
    counts = {"good": 2, "food": 1, "good good": 1, "good food": 1}
    expected = np.zeros(tfidf.size, np.float32)
    for gram, count in counts.items():
        expected[tfidf.index[gram]] = count * (np.log(5 / (1 + df[gram])) + 1)
    np.testing.assert_allclose(rows[0], expected / np.linalg.norm(expected), rtol=1e-6)
    assert not rows[1].any()  # unknown words give an empty row
    # a sparse probe on tf-idf learns which words carry the label
    rng = np.random.default_rng(0)
    words = {0: ["bad", "awful", "rude"], 1: ["good", "great", "tasty"]}

    def sample(n):
        y = rng.integers(0, 2, n)
        noise = ["the", "food", "was", "here"]
        return [" ".join(rng.choice(words[int(c)] + noise, 4)) for c in y], y

    (train, y), (test, ty) = sample(200), sample(500)
    tfidf = kvc.metrics.TfidfFeatures().fit(train + test)
    accuracy = kvc.metrics.linear_probe_accuracy(tfidf(train), y, tfidf(test), ty)
    assert accuracy > 0.85
    with pytest.raises(ValueError, match="fit"):
        kvc.metrics.TfidfFeatures()(["x"])


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="features"):
        kvc.metrics.linear_probe_accuracy(
            np.zeros((4, 2)), [0, 1, 0, 1], np.zeros((3, 3)), [0, 1, 0]
        )
