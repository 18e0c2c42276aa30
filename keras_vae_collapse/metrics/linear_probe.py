"""Linear classifiers on representation features (Scale-VAE Table 4 protocol)."""

import keras
import numpy as np
import tensorflow as tf


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
    features.

    Features are standardised with the training set's mean and standard
    deviation; the classifier (logits = x W + b, softmax cross-entropy) is fit
    by full-batch Adam for `steps` steps with a small L2 penalty on W, from a
    seeded initialisation, so the result is deterministic.
    """
    x = np.asarray(train_features, np.float32)
    y = np.asarray(train_labels, np.int32)
    t = np.asarray(test_features, np.float32)
    if x.ndim != 2 or t.ndim != 2 or x.shape[1] != t.shape[1]:
        raise ValueError(f"features must be [N, d] alike, got {x.shape}, {t.shape}")
    if len(x) != len(y) or len(t) != len(test_labels):
        raise ValueError("features and labels differ in length")
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    x, t = (x - mean) / std, (t - mean) / std
    classes = int(max(y.max(), np.max(test_labels))) + 1
    rng = np.random.default_rng(seed)
    kernel = tf.Variable(rng.normal(0, 0.01, (x.shape[1], classes)).astype("float32"))
    bias = tf.Variable(tf.zeros([classes]))
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build([kernel, bias])
    features, labels = tf.constant(x), tf.constant(y)

    @tf.function
    def fit():
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                logits = features @ kernel + bias
                loss = tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
                ) + l2 * tf.reduce_sum(kernel**2)
            grads = tape.gradient(loss, [kernel, bias])
            optimizer.apply_gradients(zip(grads, [kernel, bias]))

    fit()
    predictions = np.argmax(t @ kernel.numpy() + bias.numpy(), axis=1)
    return float(np.mean(predictions == np.asarray(test_labels)))


def representation_accuracies(
    encode, train_sets, test_texts, test_labels, seed=0, **kwargs
):
    """{size: test accuracy} of linear probes on `encode` features.

    Args:
        encode: texts -> features [N, d] (e.g. `lambda t: model.encode(t)[0]`,
            the posterior means of a model with a vocabulary).
        train_sets: {size: (texts, labels)}, e.g. short-Yelp's 100 ... 10k.
        test_texts, test_labels: the test split.
    """
    test_features = encode(test_texts)
    return {
        size: linear_probe_accuracy(
            encode(texts), labels, test_features, test_labels, seed=seed, **kwargs
        )
        for size, (texts, labels) in sorted(train_sets.items())
    }
