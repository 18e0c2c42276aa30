"""The builders on the real corpora in ../shared/data (or $KVC_DATA_DIR).

Skipped with a reason when the data are absent. Expected counts are the ones
stated in ../shared/data/README.md.
"""

import os

import numpy as np
import pytest

import keras_vae_collapse as kvc

D = kvc.datasets


def prepared(real_data, name):
    root, cache = real_data
    folder = os.path.join(root, name)
    if not os.path.isdir(folder):
        pytest.skip(f"{folder} is absent")
    b = D.builder(name, folder, cache)
    assert set(b.info.splits) == set(b.SPLITS)  # the builder's self-description
    return b


def texts_and_labels(builder, split):
    """The split's texts and labels (None without), read as one batch."""
    items = builder.as_dataset(split=split, batch_size=-1)
    texts = [t.decode() for t in items["text"].numpy()]
    if "label" not in items:
        return texts, [None] * len(texts)
    return texts, list(items["label"].numpy())


def test_yahoo_counts_and_vocabulary(real_data):
    b = prepared(real_data, "yahoo")
    # README: val.txt and test.txt, 10,000 documents each; 20,001-entry dict.
    assert D.check_counts(b) == {"train": 9_000, "validation": 1_000, "test": 10_000}
    vocab = b.vocabulary()
    assert len(vocab) == 20_001 and vocab.token_id("_UNK") == 4
    texts, _ = texts_and_labels(b, "test")
    words = np.mean([len(t.split()) for t in texts])
    assert 70 < words < 90  # "about 79 words a document"
    ids = vocab.encode_batch(texts[:100])
    assert (ids[:, 0] == 2).all() and ids.dtype == np.int32
    assert (ids == 1).mean() < 0.01  # the dictionary covers the corpus


def test_batches_of_a_real_text_corpus(real_data):
    b = prepared(real_data, "ptb")
    first = next(iter(D.batches(b, "test", 32, max_length=20, shuffle=True)))
    assert first.dtype == "int32" and first.shape[0] == 32
    assert first.shape[1] <= 22 and (first.numpy()[:, 0] == 2).all()


def test_short_yelp_counts_and_label_balance(real_data):
    b = prepared(real_data, "short_yelp")
    counts = D.check_counts(b)
    assert counts["test"] == counts["validation"] == 10_000
    root = real_data[0]
    for split, name in (
        ("train_100", "train.100"),
        ("train_10000", "train.10000"),
        ("test", "test"),
    ):
        _, labels = texts_and_labels(b, split)
        path = os.path.join(root, "short_yelp", f"short_yelp.{name}.txt")
        with open(path) as f:
            raw = [int(line.split("\t")[0]) for line in f]
        assert labels == raw, split  # labels kept, in file order
        # About 60% positive in every split (as in the files).
        assert 0.5 < np.mean(labels) < 0.65, split
    assert len(b.vocabulary()) == 8_411


def test_yelp_sentiment_excludes_every_short_yelp_sentence(real_data):
    b = prepared(real_data, "yelp_sentiment")
    assert D.check_counts(b)["test"] == 10_000
    assert b.info.metadata["pool_size"] == 168_485  # unique sentences (README)
    excluded = b.info.metadata["excluded_short_yelp"]
    assert excluded > 0
    train, labels = texts_and_labels(b, "train")
    assert len(train) == 168_485 - excluded - 20_000
    short = prepared(real_data, "short_yelp")
    short_sentences = set()
    for split in short.info.splits:
        short_sentences.update(texts_and_labels(short, split)[0])
    every = set(train)
    for split in ("validation", "test"):
        every.update(texts_and_labels(b, split)[0])
    assert not every & short_sentences
    assert 0.3 < np.mean(labels) < 0.7
    assert max(len(t.split()) for t in train) <= 15  # "at most 15" words


def test_ptb_counts(real_data):
    b = prepared(real_data, "ptb")
    assert D.check_counts(b) == {"train": 42_068, "validation": 3_370, "test": 3_761}
    assert len(b.vocabulary()) == 10_000 + 2  # 10k words with <unk>, + 3 specials


def test_omniglot_counts_range_and_ink(real_data):
    b = prepared(real_data, "omniglot")
    # README: 24,345 training (here train + validation) and 8,115 test images.
    assert D.check_counts(b) == {"train": 23_000, "validation": 1_345, "test": 8_115}
    train = np.stack(
        [e["image"] for e in b.as_dataset(split="train").take(3000).as_numpy_iterator()]
    )
    test = np.stack(
        [e["image"] for e in b.as_dataset(split="test").take(3000).as_numpy_iterator()]
    )
    assert train.shape[1:] == (28, 28, 1) and train.dtype == np.float32
    assert train.min() == 0.0 and train.max() <= 1.0
    assert set(np.unique(test)) == {0.0, 1.0}
    # Ink is 1 and covers a small part of each image (strokes, not background).
    assert 0.04 < train.mean() < 0.15 and 0.04 < test.mean() < 0.15
    batches = D.image_batches(
        b.as_dataset(split="train").take(100).map(lambda e: e["image"]),
        50,
        dynamic=True,
    )
    first, second = [np.concatenate(list(batches.as_numpy_iterator())) for _ in (0, 1)]
    assert set(np.unique(first)) == {0.0, 1.0}
    assert (first != second).any()  # binarised anew every epoch
    assert abs(first.mean() - train[:100].mean()) < 0.01
