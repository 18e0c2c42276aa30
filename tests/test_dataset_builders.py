"""The tfds builders on tiny fixture files the tests write themselves."""

import os

import numpy as np
import pytest
import tensorflow_datasets as tfds

import keras_vae_collapse as kvc
from keras_vae_collapse.datasets import MalformedFileError, failure_modes

D = kvc.datasets


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def docs(n, prefix):
    return [f"{prefix} doc {i} word{i % 7} ." for i in range(n)]


def texts(builder, split):
    return [
        e["text"].decode() for e in builder.as_dataset(split=split).as_numpy_iterator()
    ]


def test_yahoo_layout_without_train_file(tmp_path):
    data = tmp_path / "yahoo"
    write(str(data / "val.txt"), docs(20, "val"))
    write(str(data / "test.txt"), docs(7, "test"))
    write(str(data / "yahoo.dict"), ["<pad> 0", "<unk> 1", "<s> 2", "</s> 3", "doc 4"])
    b = D.builder("yahoo", str(data), str(tmp_path / "cache"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    assert counts == {"train": 18, "validation": 2, "test": 7}
    # The derived train / validation split partitions the validation file.
    assert sorted(texts(b, "train") + texts(b, "validation")) == sorted(docs(20, "val"))
    assert sorted(texts(b, "test")) == sorted(docs(7, "test"))
    assert b.vocabulary().tokens == ["<pad>", "<unk>", "<s>", "</s>", "doc"]
    # Once prepared, plain tfds finds it by name without any network access.
    ds = tfds.load(
        "kvc_yahoo", split="test", data_dir=str(tmp_path / "cache"), download=False
    )
    assert len(list(ds)) == 7


def test_yelp_layout_with_all_files_builds_vocabulary(tmp_path):
    data = tmp_path / "yelp"
    for split, n in (("train", 12), ("valid", 3), ("test", 4)):
        write(str(data / f"yelp.{split}.txt"), docs(n, split))
    b = D.builder("kvc_yelp", str(data), str(tmp_path / "cache"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    assert counts == {"train": 12, "validation": 3, "test": 4}
    vocab = b.vocabulary()
    assert vocab.tokens[:4] == list(D.SPECIAL_TOKENS)
    assert "train" in vocab.tokens and "test" not in vocab.tokens


def short_yelp_fixture(folder, sentences):
    """Writes a short-Yelp folder whose sentences come from `sentences`."""
    it = iter(sentences)
    for name, n in [(f"train.{k}", 4) for k in (100, 500, 1000, 2000, 10000)] + [
        ("valid", 4),
        ("test", 6),
    ]:
        write(
            os.path.join(folder, f"short_yelp.{name}.txt"),
            [f"{i % 2}\t{next(it)}" for i in range(n)],
        )
    write(os.path.join(folder, "vocab.txt"), ["<pad>", "<s>", "</s>", "<unk>", "good"])


def test_short_yelp_splits_labels_and_vocabulary_order(tmp_path):
    folder = tmp_path / "short_yelp"
    short_yelp_fixture(str(folder), (f"sentence {i} good" for i in range(100)))
    b = D.builder("short_yelp", str(folder), str(tmp_path / "cache"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    assert counts["train_100"] == 4 and counts["test"] == 6
    labels = [e["label"] for e in b.as_dataset(split="test").as_numpy_iterator()]
    assert sorted(labels) == [0, 0, 0, 1, 1, 1]
    # vocab.txt lists <pad> <s> </s> <unk>: the package's ids are fixed.
    assert b.vocabulary().tokens == ["<pad>", "<unk>", "<s>", "</s>", "good"]


def test_yelp_sentiment_excludes_short_yelp_and_deduplicates(tmp_path):
    root = tmp_path / "data"
    pool = [f"sentence {i} here" for i in range(300)]
    write(str(root / "yelp_sentiment" / "sentiment.dev.0"), pool[:150] + pool[:10])
    write(str(root / "yelp_sentiment" / "sentiment.test.1"), pool[150:])
    short_yelp_fixture(str(root / "short_yelp"), pool[100:130] + ["not in pool"] * 10)
    b = D.builder("yelp_sentiment", str(root / "yelp_sentiment"), str(tmp_path / "c"))
    splits = {s: texts(b, s) for s in ("train", "validation", "test")}
    everything = sum(splits.values(), [])
    assert len(everything) == len(set(everything)) == 300 - 30
    assert not set(everything) & set(pool[100:130])
    assert len(splits["validation"]) == len(splits["test"]) == 27
    assert b.info.metadata["pool_size"] == 300
    assert b.info.metadata["excluded_short_yelp"] == 30
    by_text = {
        e["text"].decode(): e["label"]
        for e in b.as_dataset(split="train").as_numpy_iterator()
    }
    assert all(by_text[s] == (0 if s in pool[:150] else 1) for s in by_text)


def test_yelp_sentiment_needs_short_yelp(tmp_path):
    write(str(tmp_path / "ys" / "sentiment.dev.0"), ["a b"])
    with pytest.raises(FileNotFoundError, match="short_yelp"):
        D.builder("yelp_sentiment", str(tmp_path / "ys"), str(tmp_path / "c"))


def test_ptb_builder(tmp_path):
    for split, n in (("train", 9), ("valid", 2), ("test", 3)):
        write(
            str(tmp_path / "ptb" / f"{split}.txt"),
            [f" w{i} <unk> N " for i in range(n)],
        )
    b = D.builder("ptb", str(tmp_path / "ptb"), str(tmp_path / "c"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    assert counts == {"train": 9, "validation": 2, "test": 3}
    assert texts(b, "validation") == ["w0 <unk> N", "w1 <unk> N"]
    assert b.vocabulary().token_id("<unk>") == 1


def omniglot_fixture(folder, characters=(4, 3)):
    rng = np.random.default_rng(0)
    for name, c in zip(("images_background", "images_evaluation"), characters):
        images = rng.random((c, 20, 105, 105)) > 0.1  # True = background
        labels = np.repeat(np.arange(c)[:, None], 20, axis=1)
        os.makedirs(folder, exist_ok=True)
        np.savez(os.path.join(folder, f"{name}.npz"), images=images, labels=labels)


def test_omniglot_builder_splits_and_binarisation(tmp_path):
    omniglot_fixture(str(tmp_path / "omniglot"))
    b = D.builder("omniglot", str(tmp_path / "omniglot"), str(tmp_path / "c"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    # 7 characters: 15 training drawings each (a tenth validates), 5 test.
    assert counts == {"train": 95, "validation": 10, "test": 35}
    train = np.stack(
        [e["image"] for e in b.as_dataset(split="train").as_numpy_iterator()]
    )
    test = np.stack(
        [e["image"] for e in b.as_dataset(split="test").as_numpy_iterator()]
    )
    assert train.shape[1:] == (28, 28, 1) and train.dtype == np.float32
    assert train.min() >= 0 and train.max() <= 1
    # Area averaging keeps the ink fraction; ink is 1 (inverted).
    assert abs(train.mean() - 0.1) < 0.01
    assert set(np.unique(test)) <= {0.0, 1.0} and abs(test.mean() - 0.1) < 0.02


def test_area_resize_is_exact_block_average():
    m = D.kvc_omniglot.area_resize_matrix(105, 28)
    np.testing.assert_allclose(m.sum(axis=1), 1.0)
    image = np.zeros((105, 105))
    image[:15, :15] = 1.0  # exactly 4 x 4 output pixels of 3.75 x 3.75
    out = D.kvc_omniglot.ink_images(~image.astype(bool)[None])[0]
    np.testing.assert_allclose(out[:4, :4], 1.0, atol=1e-6)
    np.testing.assert_allclose(out[4:, :], 0.0, atol=1e-6)


def test_synthetic_builder_matches_the_generator(tmp_path):
    b = D.builder("synthetic", cache_dir=str(tmp_path / "c"))
    assert D.check_counts(b) == {"train": 16_000, "validation": 2_000, "test": 2_000}
    first = next(b.as_dataset(split="test").as_numpy_iterator())
    splits = D.synthetic_splits()
    assert list(splits) == ["train", "validation", "test"]
    expected = splits["test"]
    np.testing.assert_array_equal(first["ids"], expected["x"][0])
    np.testing.assert_allclose(first["z"], expected["z"][0])


def test_failure_mode_splits_are_named_like_the_builders():
    splits = failure_modes.failure_mode_splits("unimodal")
    assert {k: len(v["x"]) for k, v in splits.items()} == {
        "train": 5_000,
        "validation": 1_000,
        "test": 1_000,
    }


def test_default_data_root_reads_only_the_environment(tmp_path, monkeypatch):
    # A ../shared/data next to the working directory is not looked at.
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.delenv("KVC_DATA_DIR", raising=False)
    assert D.default_data_root() is None
    monkeypatch.setenv("KVC_DATA_DIR", "")
    assert D.default_data_root() is None
    monkeypatch.setenv("KVC_DATA_DIR", str(tmp_path / "shared" / "data"))
    assert D.default_data_root() == str(tmp_path / "shared" / "data")


# -- malformed files -------------------------------------------------------------


def test_empty_line_names_file_and_line(tmp_path):
    data = tmp_path / "yahoo"
    write(str(data / "val.txt"), ["one doc", "two doc", "", "four"])
    write(str(data / "test.txt"), ["x"])
    with pytest.raises(MalformedFileError, match=r"val\.txt:3: empty line"):
        D.builder("yahoo", str(data), str(tmp_path / "c"))


def test_wrong_columns_and_labels_name_file_and_line(tmp_path):
    folder = tmp_path / "short_yelp"
    short_yelp_fixture(str(folder), (f"s {i}" for i in range(100)))
    write(str(folder / "short_yelp.test.txt"), ["1\tgood", "0 no tab here"])
    with pytest.raises(MalformedFileError, match=r"short_yelp\.test\.txt:2: .*2 col"):
        D.builder("short_yelp", str(folder), str(tmp_path / "c"))
    write(str(folder / "short_yelp.test.txt"), ["1\tgood", "7\tbad label"])
    with pytest.raises(MalformedFileError, match=r"test\.txt:2: label '7'"):
        D.builder("short_yelp", str(folder), str(tmp_path / "c2"))


def test_unreadable_arrays_and_missing_files(tmp_path):
    folder = tmp_path / "omniglot"
    omniglot_fixture(str(folder))
    with open(folder / "images_evaluation.npz", "wb") as f:
        f.write(b"not an npz file")
    with pytest.raises(MalformedFileError, match="images_evaluation.npz"):
        D.builder("omniglot", str(folder), str(tmp_path / "c"))
    np.savez(
        folder / "images_evaluation.npz",
        images=np.ones((3, 105, 105), bool),
        labels=np.zeros((3,)),
    )
    with pytest.raises(MalformedFileError, match="expected images"):
        D.builder("omniglot", str(folder), str(tmp_path / "c2"))
    os.remove(folder / "images_evaluation.npz")
    with pytest.raises(FileNotFoundError, match="images_evaluation"):
        D.builder("omniglot", str(folder), str(tmp_path / "c3"))


def test_bad_vocabulary_and_not_utf8(tmp_path):
    path = write(str(tmp_path / "v.dict"), ["<pad> 0", "a b c"])
    with pytest.raises(MalformedFileError, match=r"v\.dict:2"):
        D.Vocabulary.from_file(path)
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine line\n\xff\xfe broken\n")
    with pytest.raises(MalformedFileError, match=r"bad\.txt:2: not UTF-8"):
        list(D.files.read_lines(str(path)))


def test_unknown_dataset_and_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="known: yahoo"):
        D.builder("mnist", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="not a directory"):
        D.builder("yahoo", str(tmp_path / "absent"))


def test_check_counts_reports_mismatch(tmp_path):
    data = tmp_path / "yahoo"
    write(str(data / "val.txt"), docs(20, "val"))
    write(str(data / "test.txt"), docs(7, "test"))
    b = D.builder("yahoo", str(data), str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="counts"):
        D.check_counts(b)
