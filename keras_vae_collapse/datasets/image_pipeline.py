"""tf.data pipeline of binary images with dynamic binarisation."""

import tensorflow as tf


def image_batches(images, batch_size, dynamic=False, shuffle=False, seed=0):
    """Batches of float32 images [B, H, W, C] in {0, 1}.

    Args:
        images: `tf.data.Dataset` of float32 images with values in [0, 1].
        batch_size: images per batch.
        dynamic: binarise every time an image is read, pixel ~ Bernoulli(ink)
            (the training pipeline of the Omniglot experiments); the draw
            depends only on `seed` and the position in the stream.
            Otherwise the images must already be binary (validation, test).
        shuffle: shuffle (seeded, reshuffled every epoch).
        seed: seed of shuffling and binarisation.
    """
    ds = images
    if shuffle:
        ds = ds.shuffle(30_000, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if dynamic:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        seeds = seeds.batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda x, s: tf.cast(
                tf.random.stateless_uniform(tf.shape(x), s) < x, tf.float32
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.prefetch(tf.data.AUTOTUNE)
