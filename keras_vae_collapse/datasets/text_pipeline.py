"""tf.data pipelines from raw text to padded, length-bucketed id batches."""

import tensorflow as tf

from keras_vae_collapse.likelihoods.token_categorical import BOS_ID, EOS_ID, PAD_ID


def tokenize(texts, lookup, max_length=None):
    """Strings [B] -> ragged int32 ids [B, None] of `<s> words </s>` (a
    scalar string gives a 1-D tensor).

    Args:
        texts: string tensor (scalar or [B]).
        lookup: `Vocabulary.lookup_layer()`.
        max_length: keep at most this many words (None: all).
    """
    texts = tf.convert_to_tensor(texts, tf.string)
    words = tf.strings.split(texts)
    if max_length is not None:
        words = words[..., : int(max_length)]
    if texts.shape.rank == 0:
        ids = tf.cast(lookup(words), tf.int32)
        return tf.concat([[BOS_ID], ids, [EOS_ID]], axis=0)
    ids = tf.cast(tf.ragged.map_flat_values(lookup, words), tf.int32)
    edge = tf.ones([ids.nrows(), 1], tf.int32)
    return tf.concat([edge * BOS_ID, ids, edge * EOS_ID], axis=1)


def text_batches(
    texts,
    vocabulary,
    batch_size,
    max_length=None,
    shuffle=False,
    seed=0,
    bucket_width=10,
    drop_remainder=False,
):
    """Batches of padded token ids from a dataset of strings.

    Sequences of similar length are batched together (buckets `bucket_width`
    tokens wide), so little padding is computed; padding is id 0, which
    `TokenCategorical` masks out of the loss and of token counts.

    Args:
        texts: `tf.data.Dataset` of scalar strings.
        vocabulary: a `Vocabulary`.
        batch_size: sequences per batch.
        max_length: words kept per text (the ids add <s> and </s>).
        shuffle: shuffle the texts (seeded, reshuffled every epoch) before
            bucketing.

    The token ids are cached in memory after the first pass.
        seed: shuffle seed.
        bucket_width: width of the length buckets in tokens (None: no
            bucketing, batches in order).
        drop_remainder: drop incomplete batches.

    Returns:
        `tf.data.Dataset` of int32 [B, T] ids.
    """
    lookup = vocabulary.lookup_layer()
    # Tokenised once, then kept in memory: later epochs only shuffle and batch.
    ds = texts.map(
        lambda t: tokenize(t, lookup, max_length), num_parallel_calls=tf.data.AUTOTUNE
    ).cache()
    if shuffle:
        ds = ds.shuffle(50_000, seed=seed, reshuffle_each_iteration=True)
    if bucket_width is None:
        ds = ds.padded_batch(
            batch_size,
            padded_shapes=[None],
            padding_values=PAD_ID,
            drop_remainder=drop_remainder,
        )
    else:
        longest = 2 + (int(max_length) if max_length is not None else 1000)
        boundaries = list(range(bucket_width + 1, longest + 1, bucket_width))
        ds = ds.bucket_by_sequence_length(
            lambda ids: tf.shape(ids)[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padding_values=PAD_ID,
            drop_remainder=drop_remainder,
        )
        if shuffle:
            # Buckets fill at different rates; shuffle batches so lengths mix.
            ds = ds.shuffle(64, seed=seed + 1, reshuffle_each_iteration=True)
    return ds.prefetch(tf.data.AUTOTUNE)
