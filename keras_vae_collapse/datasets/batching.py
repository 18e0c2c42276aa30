"""Model-input batches of any prepared builder, chosen by what the builder
declares about itself (never by its name).

Every builder of the package sets `MODALITY` ("text": raw strings to
tokenise, "images": float images in [0, 1], "token_ids": integer model ids
with <s> and </s>), `FEATURE` (the key of the model input), `LABEL`,
`SPLITS` and `NEEDS_FILES`. `split_examples(prepared, split)` reads a split's
model inputs into memory; `batches(prepared, split, batch_size, ...)` gives
the batched `tf.data.Dataset` that training and evaluation feed the model.
"""

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_vae_collapse.datasets.image_pipeline import image_batches
from keras_vae_collapse.datasets.text_pipeline import (
    epoch_seed,
    epoch_stream,
    text_batches,
)

#: The values a builder's `MODALITY` may take.
MODALITIES = ("text", "images", "token_ids")


def _read_split(prepared, split):
    """`tf.data.Dataset` of the model inputs of a split, in file order."""
    ds = prepared.as_dataset(
        split=split,
        shuffle_files=False,
        read_config=tfds.ReadConfig(try_autocache=False),
    )
    return ds.map(lambda e: e[prepared.FEATURE])


def split_examples(prepared, split):
    """All model inputs of `split` of a prepared builder, in order: a list of
    str for text, else an array (images float32 [N, H, W, C], token ids
    int32 [N, T]), read from the builder's `FEATURE`."""
    values = list(_read_split(prepared, split).as_numpy_iterator())
    if prepared.MODALITY == "text":
        return [v.decode("utf-8") for v in values]
    if values:
        return np.stack(values)
    feature = prepared.info.features[prepared.FEATURE]
    return np.zeros((0, *feature.shape), feature.np_dtype)


def _source(prepared, split, examples):
    """Dataset of `examples` if given, else of the split's model inputs."""
    if examples is None:
        return _read_split(prepared, split)
    if prepared.MODALITY == "text":
        return tf.data.Dataset.from_tensor_slices(tf.constant(examples, tf.string))
    return tf.data.Dataset.from_tensor_slices(np.asarray(examples))


def _num_examples(prepared, split, examples):
    if examples is not None:
        return len(examples)
    return prepared.info.splits[split].num_examples


def _token_id_batches(ids, n, batch_size, shuffle, seed, first_epoch, steps):
    """Batches of fixed-length ids; with `shuffle`, epoch e is shuffled
    (whole split as buffer) by `epoch_seed(seed, e)`, so resumed streams
    repeat an uninterrupted run's batches."""
    ids = ids.cache()

    def epoch(e):
        d = ids
        if shuffle:
            d = d.shuffle(n, seed=epoch_seed(seed, e))
        return d.batch(batch_size)

    if first_epoch is None:
        return epoch(0).prefetch(tf.data.AUTOTUNE)
    return epoch_stream(epoch, first_epoch, steps).prefetch(tf.data.AUTOTUNE)


def batches(
    prepared,
    split,
    batch_size,
    *,
    vocabulary=None,
    max_length=None,
    shuffle=False,
    seed=0,
    dynamic=None,
    first_epoch=None,
    steps_per_epoch=None,
    examples=None,
):
    """Batched `tf.data.Dataset` of model inputs of a prepared builder's split,
    dispatched on `prepared.MODALITY`.

    Text: int32 [B, T] ids, length-bucketed (`text_batches`). Images: float32
    [B, H, W, C] in {0, 1} (`image_batches`). Token ids: int32 [B, T], in
    order or shuffled per epoch.

    Args:
        prepared: a prepared builder (`registry.builder`).
        split: split name (one of `prepared.SPLITS`).
        batch_size: examples per batch.
        vocabulary: text only; a `Vocabulary` or anything else
            `text_batches` takes (a tokenizer), passed on untouched (default
            `prepared.vocabulary()`).
        max_length: text only; words kept per text.
        shuffle: shuffle, seeded and anew every epoch (training).
        seed: seed of shuffling and of dynamic binarisation.
        dynamic: images only; binarise on every read (default: True for the
            "train" split only, whose images are grey levels).
        first_epoch: if given, an endless stream of epochs from this one on,
            each seeded by (seed, epoch), so a resumed run sees the batches
            of an uninterrupted one; otherwise one pass.
        steps_per_epoch: with `first_epoch`, cut every epoch to this many
            batches.
        examples: model inputs to use instead of the split's (a list or array
            as returned by `split_examples`, e.g. a seeded subset).
    """
    if prepared.MODALITY not in MODALITIES:
        raise ValueError(
            f"{type(prepared).__name__}.MODALITY is {prepared.MODALITY!r}; "
            f"known: {', '.join(MODALITIES)}"
        )
    source = _source(prepared, split, examples)
    stream = {"first_epoch": first_epoch, "steps_per_epoch": steps_per_epoch}
    if prepared.MODALITY == "text":
        return text_batches(
            source,
            prepared.vocabulary() if vocabulary is None else vocabulary,
            batch_size,
            max_length=max_length,
            shuffle=shuffle,
            seed=seed,
            **stream,
        )
    if prepared.MODALITY == "images":
        dynamic = split == "train" if dynamic is None else dynamic
        return image_batches(
            source, batch_size, dynamic=dynamic, shuffle=shuffle, seed=seed, **stream
        )
    n = _num_examples(prepared, split, examples)
    return _token_id_batches(
        source, n, batch_size, shuffle, seed, first_epoch, steps_per_epoch
    )
