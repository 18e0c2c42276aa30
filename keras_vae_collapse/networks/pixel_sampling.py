"""Pixel-by-pixel sampling of an autoregressive image decoder (PixelCNN)."""

import tensorflow as tf


def sample_pixels(logits_fn, z, image_shape, greedy=False, seed=0):
    """Samples binary images [B, H, W, 1] (a tf.Tensor) in raster order.

    `logits_fn(z, x)` gives one Bernoulli logit per pixel for the images x
    sampled so far; it is called H * W times. Greedy takes the more likely
    value; otherwise pixel (i, j) is drawn with the stateless seed
    (seed, i * W + j).
    """
    z = tf.convert_to_tensor(z, tf.float32)
    height, width, _ = image_shape
    x = tf.zeros(tf.concat([tf.shape(z)[:1], image_shape], 0))
    for i in range(height):
        for j in range(width):
            logits = logits_fn(z, x)[:, i, j, 0]
            if greedy:
                pixel = tf.cast(logits > 0, tf.float32)
            else:
                u = tf.random.stateless_uniform(tf.shape(logits), [seed, i * width + j])
                pixel = tf.cast(u < tf.sigmoid(logits), tf.float32)
            onehot = tf.one_hot(i * width + j, height * width)
            x = x + tf.reshape(pixel[:, None] * onehot, tf.shape(x))
    return x
