"""Linear classifiers on representation features (Scale-VAE Table 4 protocol)."""

import keras
import numpy as np
import tensorflow as tf

#: L2 penalties a probe chooses from on the validation split.
L2_GRID = (1e-4, 1e-3, 1e-2, 1e-1)


def _features(x):
    """Dense [N, d] float32 array, or a tf.SparseTensor (kept sparse)."""
    if isinstance(x, tf.SparseTensor):
        return tf.cast(x, tf.float32)
    x = np.asarray(x, np.float32)
    if x.ndim != 2:
        raise ValueError(f"features must be [N, d], got shape {x.shape}")
    return x


def _check(features, labels, name):
    n = int(features.shape[0])
    if n != len(labels):
        raise ValueError(
            f"{name}: features and labels differ in length ({n} vs {len(labels)})"
        )


class _Probe:
    """A softmax classifier logits = x W + b, fit by full-batch Adam with an
    L2 penalty on W from a seeded initialisation (deterministic). Dense
    features are standardised with the training set's mean and std; sparse
    ones (tf-idf rows, already normalised) are used as they are."""

    def __init__(self, x, y, classes, steps, learning_rate, l2, seed):
        self.dense = not isinstance(x, tf.SparseTensor)
        if self.dense:
            self.mean, self.std = x.mean(axis=0), x.std(axis=0) + 1e-6
            x = tf.constant((x - self.mean) / self.std)
        rng = np.random.default_rng(seed)
        width = int(x.shape[1])
        self.kernel = tf.Variable(
            rng.normal(0, 0.01, (width, classes)).astype("float32")
        )
        self.bias = tf.Variable(tf.zeros([classes]))
        optimizer = keras.optimizers.Adam(learning_rate)
        optimizer.build([self.kernel, self.bias])
        labels = tf.constant(np.asarray(y, np.int32))

        @tf.function
        def fit():
            for _ in tf.range(steps):
                with tf.GradientTape() as tape:
                    logits = self._logits(x)
                    loss = tf.reduce_mean(
                        tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
                    ) + l2 * tf.reduce_sum(self.kernel**2)
                grads = tape.gradient(loss, [self.kernel, self.bias])
                optimizer.apply_gradients(zip(grads, [self.kernel, self.bias]))

        fit()

    def _logits(self, x):
        if isinstance(x, tf.SparseTensor):
            return tf.sparse.sparse_dense_matmul(x, self.kernel) + self.bias
        return tf.matmul(x, self.kernel) + self.bias

    def accuracy(self, x, labels):
        if self.dense:
            x = tf.constant((x - self.mean) / self.std)
        predictions = np.argmax(self._logits(x).numpy(), axis=1)
        return float(np.mean(predictions == np.asarray(labels)))


def linear_probe_accuracy(
    train_features,
    train_labels,
    test_features,
    test_labels,
    steps=500,
    learning_rate=0.05,
    l2=1e-4,
    seed=0,
):
    """Test accuracy of a one-layer linear (softmax) classifier trained on
    features (dense arrays, or tf.SparseTensor rows such as tf-idf).

    Dense features are standardised with the training set's mean and
    standard deviation; the classifier (logits = x W + b, softmax
    cross-entropy) is fit by full-batch Adam for `steps` steps with an L2
    penalty `l2` on W, from a seeded initialisation, so the result is
    deterministic.
    """
    return probe(
        (train_features, train_labels),
        (test_features, test_labels),
        l2_grid=(l2,),
        steps=steps,
        learning_rate=learning_rate,
        seed=seed,
    )["accuracy"]


def probe(train, test, validation=None, l2_grid=L2_GRID, seed=0, **kwargs):
    """A linear probe with its L2 penalty chosen on a validation split.

    Args:
        train, test, validation: (features, labels) pairs; the test split is
            never used to choose anything.
        l2_grid: the penalties tried; without `validation` it must hold one.
        kwargs: `steps`, `learning_rate` of `linear_probe_accuracy`.

    Returns:
        {"accuracy": test accuracy, "l2": the chosen penalty,
        "validation_accuracy": its validation accuracy (None without one)}.
    """
    x, y = _features(train[0]), np.asarray(train[1])
    t, ty = _features(test[0]), np.asarray(test[1])
    _check(x, y, "train")
    _check(t, ty, "test")
    if int(x.shape[1]) != int(t.shape[1]):
        raise ValueError(
            f"features of train and test differ in width: {x.shape}, {t.shape}"
        )
    if validation is None and len(l2_grid) != 1:
        raise ValueError("choosing among several l2 values needs a validation split")
    if validation is not None:
        v, vy = _features(validation[0]), np.asarray(validation[1])
        _check(v, vy, "validation")
    classes = int(max(y.max(), ty.max())) + 1
    options = {"steps": 500, "learning_rate": 0.05, **kwargs}
    best = None
    for l2 in l2_grid:
        model = _Probe(
            x, y, classes, options["steps"], options["learning_rate"], l2, seed
        )
        score = None if validation is None else model.accuracy(v, vy)
        if best is None or (score is not None and score > best[0]):
            best = (score, l2, model)
    score, l2, model = best
    return {"accuracy": model.accuracy(t, ty), "l2": l2, "validation_accuracy": score}


def representation_accuracies(
    encode, train_sets, test_texts, test_labels, validation=None, seed=0, **kwargs
):
    """{size: `probe` result} of linear probes on `encode` features.

    Args:
        encode: texts -> features [N, d] (e.g. `lambda t: model.encode(t)[0]`,
            the posterior means of a model with a vocabulary), or a
            tf.SparseTensor (`TfidfFeatures`).
        train_sets: {size: (texts, labels)}, e.g. short-Yelp's 100 ... 10k.
        test_texts, test_labels: the test split.
        validation: (texts, labels) on which each probe's L2 is chosen
            (`L2_GRID`); without it, pass `l2_grid=(l2,)`.
        kwargs: `l2_grid`, `steps`, `learning_rate` of `probe`.
    """
    test = (encode(test_texts), test_labels)
    valid = None if validation is None else (encode(validation[0]), validation[1])
    return {
        size: probe((encode(texts), labels), test, valid, seed=seed, **kwargs)
        for size, (texts, labels) in sorted(train_sets.items())
    }
