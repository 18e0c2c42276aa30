"""tf.data pipeline of binary images with dynamic binarisation."""

import tensorflow as tf

from keras_vae_collapse.datasets.text_pipeline import epoch_seed, epoch_stream


def image_batches(
    images,
    batch_size,
    dynamic=False,
    shuffle=False,
    seed=0,
    first_epoch=None,
    steps_per_epoch=None,
):
    """Batches of float32 images [B, H, W, C] in {0, 1}.

    Args:
        images: `tf.data.Dataset` of float32 images with values in [0, 1].
        batch_size: images per batch.
        dynamic: binarise every time an image is read, pixel ~ Bernoulli(ink)
            (the training pipeline of the Omniglot experiments), seeded.
            Otherwise the images must already be binary (validation, test).
        shuffle: shuffle (seeded, reshuffled every epoch).
        seed: seed of shuffling and binarisation.
        first_epoch: if given, an endless stream of epochs starting at this
            one, each shuffled and binarised by (seed, epoch) (see
            `text_pipeline.epoch_stream`), for training that resumes exactly.
        steps_per_epoch: with `first_epoch`, cut every epoch to this many
            batches.
    """

    def batches(ds, epoch_seed_):
        if shuffle:
            ds = ds.shuffle(30_000, seed=epoch_seed_, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size)
        if dynamic:
            seeds = tf.data.Dataset.random(
                seed=epoch_seed_ + 7, rerandomize_each_iteration=True
            ).batch(2)
            ds = tf.data.Dataset.zip((ds, seeds)).map(
                lambda x, s: tf.cast(
                    tf.random.stateless_uniform(tf.shape(x), s) < x, tf.float32
                ),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return ds

    if first_epoch is None:
        out = batches(images, seed)
    else:
        out = epoch_stream(
            lambda e: batches(images, epoch_seed(seed, e)), first_epoch, steps_per_epoch
        )
    return out.prefetch(tf.data.AUTOTUNE)
