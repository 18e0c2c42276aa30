"""`batches` / `split_examples` on tiny builders, and the self-descriptions
(`MODALITY`, `FEATURE`, ...) of every registered builder."""

import numpy as np
import pytest
import tensorflow as tf
from test_dataset_builders import omniglot_fixture, write

import keras_vae_collapse as kvc
from keras_vae_collapse.datasets.text_pipeline import epoch_seed

D = kvc.datasets
BOS = kvc.likelihoods.BOS_ID
FEATURES = {"text": "text", "images": "image", "token_ids": "ids"}


def ptb_texts(n):
    return [
        " ".join(f"w{(i * 7 + k) % 23}" for k in range(i % 17 + 1)) for i in range(n)
    ]


@pytest.fixture(scope="module")
def ptb(tmp_path_factory):
    root = tmp_path_factory.mktemp("ptb")
    for split, n in (("train", 40), ("valid", 9), ("test", 13)):
        write(str(root / "ptb" / f"{split}.txt"), ptb_texts(n))
    return D.builder("ptb", str(root / "ptb"), str(root / "cache"))


@pytest.fixture(scope="module")
def omniglot(tmp_path_factory):
    root = tmp_path_factory.mktemp("omniglot")
    omniglot_fixture(str(root / "omniglot"), characters=(2, 1))
    return D.builder("omniglot", str(root / "omniglot"), str(root / "cache"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return D.builder("synthetic", cache_dir=str(tmp_path_factory.mktemp("syn")))


def arrays(ds, n=None):
    return list((ds if n is None else ds.take(n)).as_numpy_iterator())


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


# -- self-description ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(D.BUILDERS))
def test_every_builder_declares_what_it_is(name, tmp_path):
    cls = D.BUILDERS[name]
    assert cls.MODALITY in D.MODALITIES
    assert cls.FEATURE == FEATURES[cls.MODALITY]
    assert isinstance(cls.SPLITS, tuple) and len(set(cls.SPLITS)) == len(cls.SPLITS)
    assert {"validation", "test"} <= set(cls.SPLITS)
    assert isinstance(cls.NEEDS_FILES, bool)
    assert cls.NEEDS_FILES == (name != "synthetic")
    # The keys exist; LABEL is the label of tfds's supervised keys.
    info = cls(data_dir=str(tmp_path)).info
    assert cls.FEATURE in info.features
    supervised = info.supervised_keys
    assert cls.LABEL == (supervised[1] if supervised else None)
    if cls.MODALITY == "text":
        assert callable(cls.vocabulary)
    if cls.MODALITY == "token_ids":
        assert cls.vocab_size() > 4
    if cls.NEEDS_FILES:
        with pytest.raises(ValueError, match="needs data_dir"):
            D.builder(name)


def test_prepared_splits_are_the_declared_ones(ptb, omniglot, synthetic):
    for b in (ptb, omniglot, synthetic):
        assert set(b.info.splits) == set(b.SPLITS)


def test_unknown_modality_is_rejected(ptb):
    class Odd:
        MODALITY = "audio"

    with pytest.raises(ValueError, match="known: text, images, token_ids"):
        D.batches(Odd(), "test", 2, examples=np.zeros((3, 2)))


# -- split_examples --------------------------------------------------------------


def test_split_examples_kinds(ptb, omniglot, synthetic):
    texts = D.split_examples(ptb, "test")
    assert texts == ptb_texts(13)
    images = D.split_examples(omniglot, "validation")
    assert images.dtype == np.float32 and images.shape[1:] == (28, 28, 1)
    ids = D.split_examples(synthetic, "test")
    assert ids.dtype == np.int32 and ids.shape == (2_000, 12)
    np.testing.assert_array_equal(ids, D.synthetic_splits()["test"]["x"])


# -- text ------------------------------------------------------------------------


def test_text_batches_of_a_split(ptb):
    out = arrays(D.batches(ptb, "train", 8, max_length=5, shuffle=True))
    assert all(b.dtype == np.int32 and b.ndim == 2 for b in out)
    first = np.concatenate([b[:, 0] for b in out])
    assert len(first) == 40 and (first == BOS).all()
    assert max(b.shape[1] for b in out) <= 5 + 2


def test_text_vocabulary_is_passed_through(ptb):
    # A vocabulary of special tokens only: every word is <unk> (id 1).
    only_specials = D.Vocabulary(list(D.SPECIAL_TOKENS))
    out = arrays(D.batches(ptb, "test", 4, vocabulary=only_specials))
    words = np.concatenate([b[:, 1:].ravel() for b in out])
    assert set(words) <= {0, 1, kvc.likelihoods.EOS_ID}
    default = arrays(D.batches(ptb, "test", 4))
    assert set(np.concatenate([b.ravel() for b in default])) - {0, 1, 2, 3}


def test_text_examples_replace_the_split(ptb):
    out = arrays(D.batches(ptb, "test", 4, examples=["w1 w2", "w3"]))
    vocab = ptb.vocabulary()
    assert [r[r != 0].tolist() for r in out[0]] == [
        vocab.encode("w1 w2"),
        vocab.encode("w3"),
    ]


# -- images ----------------------------------------------------------------------


def test_image_batches_binarise_the_training_split_only(omniglot):
    train = D.split_examples(omniglot, "train")
    assert len(np.unique(train)) > 2  # grey levels
    out = arrays(D.batches(omniglot, "train", 16))
    assert out[0].shape == (16, 28, 28, 1) and out[0].dtype == np.float32
    assert set(np.unique(np.concatenate(out))) == {0.0, 1.0}
    grey = np.concatenate(arrays(D.batches(omniglot, "train", 16, dynamic=False)))
    np.testing.assert_array_equal(grey, train)
    valid = np.concatenate(arrays(D.batches(omniglot, "validation", 4)))
    np.testing.assert_array_equal(valid, D.split_examples(omniglot, "validation"))


def test_image_examples_subset(omniglot):
    subset = D.split_examples(omniglot, "test")[[0, 3, 5]]
    out = arrays(D.batches(omniglot, "test", 2, examples=subset))
    assert [len(b) for b in out] == [2, 1]
    np.testing.assert_array_equal(np.concatenate(out), subset)


# -- token ids -------------------------------------------------------------------


def test_token_id_batches_in_order(synthetic):
    out = arrays(D.batches(synthetic, "validation", 300))
    assert out[0].shape == (300, 12) and out[0].dtype == np.int32
    assert [len(b) for b in out] == [300] * 6 + [200]
    np.testing.assert_array_equal(
        np.concatenate(out), D.split_examples(synthetic, "validation")
    )


def test_token_id_epochs_are_seeded_shuffles(synthetic):
    ids = D.split_examples(synthetic, "test")[:50]
    stream = D.batches(
        synthetic, "test", 8, shuffle=True, seed=4, first_epoch=0, examples=ids
    )
    epochs = [np.concatenate(arrays(stream, 7 * 3)[7 * e : 7 * e + 7]) for e in (0, 1)]
    for e, epoch in enumerate(epochs):
        # Epoch e is the split shuffled by epoch_seed(seed, e), whole split buffer.
        tf.random.set_seed(20_191_120)  # the stream's graph seed
        expected = tf.data.Dataset.from_tensor_slices(ids).shuffle(
            50, seed=epoch_seed(4, e)
        )
        np.testing.assert_array_equal(
            epoch, np.stack(list(expected.as_numpy_iterator()))
        )
        assert sorted(map(tuple, epoch)) == sorted(map(tuple, ids))
    assert (epochs[0] != epochs[1]).any()


@pytest.mark.parametrize("steps", [None, 3])
def test_token_id_stream_resumes_exactly(synthetic, steps):
    ids = D.split_examples(synthetic, "train")[:50]
    per_epoch = steps or 7  # 50 ids in batches of 8

    def stream(first_epoch):
        return D.batches(
            synthetic,
            "train",
            8,
            shuffle=True,
            seed=2,
            first_epoch=first_epoch,
            steps_per_epoch=steps,
            examples=ids,
        )

    full = arrays(stream(0), 5 * per_epoch)
    tf.random.set_seed(999)  # the global seed must not matter
    resumed = arrays(stream(2), 3 * per_epoch)
    assert_same(resumed, full[2 * per_epoch :])
