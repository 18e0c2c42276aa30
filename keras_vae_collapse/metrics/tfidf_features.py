"""Bag-of-words tf-idf features: the non-VAE baseline of the linear probe."""

import collections
import math

import numpy as np
import tensorflow as tf


class TfidfFeatures:
    """Unigram and bigram tf-idf rows, L2-normalised, as a tf.SparseTensor.

    The vocabulary (n-grams seen in at least `min_count` texts) and the idf,
    log((1 + N) / (1 + df)) + 1, come from `fit` texts: give it unlabelled
    text (the corpus a VAE trains on) so that, like the VAE, it learns its
    representation without labels. Texts are lower-cased and split on
    whitespace (the corpora here are tokenised). Calling it on texts gives
    [N, vocabulary] rows; unknown n-grams are dropped.

    Args:
        ngrams: 1 (unigrams) or 2 (unigrams and bigrams).
        min_count: document frequency below which an n-gram is dropped.
    """

    def __init__(self, ngrams=2, min_count=2):
        if ngrams not in (1, 2):
            raise ValueError(f"ngrams must be 1 or 2, got {ngrams}")
        if int(min_count) < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}")
        self.ngrams = ngrams
        self.min_count = int(min_count)
        self.index = None

    def _grams(self, text):
        words = str(text).lower().split()
        grams = list(words)
        if self.ngrams == 2:
            grams += [f"{a} {b}" for a, b in zip(words, words[1:])]
        return grams

    def fit(self, texts):
        """Learns the vocabulary and idf from `texts`; returns self."""
        texts = list(texts)
        if not texts:
            raise ValueError("TfidfFeatures.fit needs at least one text")
        df = collections.Counter()
        for text in texts:
            df.update(set(self._grams(text)))
        kept = sorted(g for g, c in df.items() if c >= self.min_count)
        if not kept:
            raise ValueError(f"no n-gram occurs in >= {self.min_count} texts")
        self.index = {g: i for i, g in enumerate(kept)}
        n = len(texts)
        self.idf = np.array(
            [math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], np.float32
        )
        return self

    @property
    def size(self):
        return 0 if self.index is None else len(self.index)

    def __call__(self, texts):
        if self.index is None:
            raise ValueError("TfidfFeatures: call fit(texts) first")
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            counts = collections.Counter(
                self.index[g] for g in self._grams(text) if g in self.index
            )
            if not counts:
                continue
            ids = np.array(sorted(counts), np.int64)
            weights = np.array([counts[i] for i in ids], np.float32) * self.idf[ids]
            weights /= np.linalg.norm(weights)
            rows += [row] * len(ids)
            cols += ids.tolist()
            values += weights.tolist()
        indices = np.stack([rows, cols], axis=1).astype(np.int64).reshape(-1, 2)
        return tf.SparseTensor(
            indices, np.asarray(values, np.float32), [len(texts), self.size]
        )
