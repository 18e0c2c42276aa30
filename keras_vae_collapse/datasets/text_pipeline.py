"""tf.data pipelines from raw text to padded, length-bucketed id batches."""

import tensorflow as tf

from keras_vae_collapse.likelihoods.token_categorical import PAD_ID

_STREAM_GRAPH_SEED = 20_191_120


def epoch_seed(seed, epoch):
    """A seed for one epoch: the same (seed, epoch) always gives the same one."""
    return tf.cast(seed, tf.int64) * 1_000_003 + tf.cast(epoch, tf.int64)


def epoch_stream(make_epoch, first_epoch, steps_per_epoch=None):
    """Concatenates `make_epoch(epoch)` for epoch = first_epoch, first_epoch +
    1, ... (endless), each cut to `steps_per_epoch` batches if given: epoch
    k's batches depend only on k, so a run resumed at epoch k sees the
    batches an uninterrupted run would have seen."""

    def epoch(e):
        # Traced in graph mode, this sets the seed of this function's graph
        # only: the epoch seeds alone decide the shuffles, whatever the
        # global seed (and a global seed of 0 with tensor op seeds would fail).
        tf.random.set_seed(_STREAM_GRAPH_SEED)
        ds = make_epoch(e)
        return ds if steps_per_epoch is None else ds.take(int(steps_per_epoch))

    return tf.data.Dataset.range(int(first_epoch), 2**62).flat_map(epoch)


def text_batches(
    texts,
    vocabulary,
    batch_size,
    max_length=None,
    shuffle=False,
    seed=0,
    bucket_width=10,
    drop_remainder=False,
    first_epoch=None,
    steps_per_epoch=None,
):
    """Batches of padded token ids from a dataset of strings.

    Sequences of similar length are batched together (buckets `bucket_width`
    tokens wide), so little padding is computed; padding is id 0, which
    `TokenCategorical` masks out of the loss and of token counts. The token
    ids are cached in memory after the first pass.

    Args:
        texts: `tf.data.Dataset` of scalar strings.
        vocabulary: a `layers.TextTokenizer` (the model's: its rules, cut and
            vocabulary give the ids), or a `Vocabulary` (then a tokenizer
            with default rules and `max_length` is made).
        batch_size: sequences per batch.
        max_length: words kept per text with a `Vocabulary` (a tokenizer
            has its own; giving another one is an error).
        shuffle: shuffle the texts before bucketing (seeded, reshuffled every
            epoch).
        seed: shuffle seed.
        bucket_width: width of the length buckets in tokens (None: no
            bucketing, batches in order).
        drop_remainder: drop incomplete batches.
        first_epoch: if given, an endless stream of epochs starting at this
            one, each shuffled by (seed, epoch) (`epoch_stream`), for training
            that resumes exactly; otherwise one pass.
        steps_per_epoch: with `first_epoch`, cut every epoch to this many
            batches.

    Returns:
        `tf.data.Dataset` of int32 [B, T] ids.
    """
    from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

    if isinstance(vocabulary, TextTokenizer):
        tokenizer = vocabulary
        if max_length is not None and max_length != tokenizer.max_length:
            raise ValueError(
                f"max_length {max_length} differs from the tokenizer's "
                f"{tokenizer.max_length}"
            )
        max_length = tokenizer.max_length
    else:
        tokenizer = TextTokenizer(vocabulary, max_length)
    # Tokenised once, then kept in memory: later epochs only shuffle and batch.
    ids = texts.map(tokenizer, num_parallel_calls=tf.data.AUTOTUNE).cache()

    def batches(ds, shuffle_seed):
        if shuffle:
            ds = ds.shuffle(50_000, seed=shuffle_seed, reshuffle_each_iteration=True)
        if bucket_width is None:
            return ds.padded_batch(
                batch_size,
                padded_shapes=[None],
                padding_values=PAD_ID,
                drop_remainder=drop_remainder,
            )
        longest = 2 + (int(max_length) if max_length is not None else 1000)
        boundaries = list(range(bucket_width + 1, longest + 1, bucket_width))
        ds = ds.bucket_by_sequence_length(
            lambda x: tf.shape(x)[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padding_values=PAD_ID,
            drop_remainder=drop_remainder,
        )
        if shuffle:
            # Buckets fill at different rates; shuffle batches so lengths mix.
            ds = ds.shuffle(64, seed=shuffle_seed + 1, reshuffle_each_iteration=True)
        return ds

    if first_epoch is None:
        out = batches(ids, seed)
    else:
        out = epoch_stream(
            lambda e: batches(ids, epoch_seed(seed, e)), first_epoch, steps_per_epoch
        )
    return out.prefetch(tf.data.AUTOTUNE)
