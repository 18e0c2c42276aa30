"""Your own text as a dataset (`"text"`, `KvcText`): the file layout, the
held-out validation split, a vocabulary of the tokenizer's words, and
`scripts/train.py --dataset=text` end to end."""

import os
import subprocess
import sys

import numpy as np
import pytest
from test_dataset_builders import write

import keras_vae_collapse as kvc
from keras_vae_collapse.configs import get_config

D = kvc.datasets
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
WORDS = ["the", "cat", "Dog", "sat", "on", "a", "mat", "ran", "fast", "café"]


def corpus(n, seed, prefix=""):
    """`n` lines of 3-8 words, some with odd spacing and punctuation."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        words = [WORDS[j] for j in rng.integers(0, len(WORDS), rng.integers(3, 9))]
        line = " ".join(words)
        if i % 5 == 0:
            line = f"  {prefix}Hello,\u00a0world!\t{line}  "
        lines.append(line)
    return lines


def text_folder(folder, train=60, valid=None, test=8, name="valid.txt"):
    write(os.path.join(folder, "train.txt"), corpus(train, 0))
    write(os.path.join(folder, "test.txt"), corpus(test, 1, prefix="testonly "))
    if valid:
        write(os.path.join(folder, name), corpus(valid, 2))
    return folder


def prepare(folder, cache):
    return D.builder("text", folder, cache)


def test_registered_with_a_config():
    assert D.BUILDERS["text"] is D.KvcText
    assert D.KvcText.MODALITY == "text" and D.KvcText.NEEDS_FILES
    # ptb's sizes, with notes of its own.
    assert get_config("text", "paper") == get_config("ptb", "paper")
    cpu, ptb_cpu = get_config("text", "cpu"), get_config("ptb", "cpu")
    assert "starting point" in cpu.pop("notes")
    ptb_cpu.pop("notes")
    assert cpu == ptb_cpu


def test_raw_lines_and_a_seeded_validation_share(tmp_path):
    folder = text_folder(str(tmp_path / "mine"))
    b = prepare(folder, str(tmp_path / "cache"))
    counts = {s: i.num_examples for s, i in b.info.splits.items()}
    assert counts == {"train": 57, "validation": 3, "test": 8}  # 5% of 60
    train, validation = D.split_examples(b, "train"), D.split_examples(b, "validation")
    lines = corpus(60, 0)
    # The lines as written (spaces, tab and no-break space kept), in file
    # order; validation and train partition train.txt.
    assert [line for line in lines if line in validation] == validation
    assert [line for line in lines if line not in validation] == train
    assert D.split_examples(b, "test") == corpus(8, 1, prefix="testonly ")
    # The same lines are held out every time (another cache, same seed).
    again = prepare(folder, str(tmp_path / "cache2"))
    assert D.split_examples(again, "validation") == validation


def test_at_least_one_line_is_held_out(tmp_path):
    folder = text_folder(str(tmp_path / "mine"), train=3)
    b = prepare(folder, str(tmp_path / "cache"))
    assert b.info.splits["validation"].num_examples == 1
    assert b.info.splits["train"].num_examples == 2


@pytest.mark.parametrize("name", ["valid.txt", "validation.txt"])
def test_a_validation_file_is_used(tmp_path, name):
    folder = text_folder(str(tmp_path / "mine"), valid=5, name=name)
    b = prepare(folder, str(tmp_path / "cache"))
    assert b.info.splits["train"].num_examples == 60
    assert D.split_examples(b, "validation") == corpus(5, 2)


def test_vocabulary_has_the_tokenizer_words_of_train_only(tmp_path):
    folder = text_folder(str(tmp_path / "mine"))
    b = prepare(folder, str(tmp_path / "cache"))
    vocabulary = b.vocabulary()
    train = D.split_examples(b, "train")
    tokenizer = kvc.layers.TextTokenizer()
    words = {w.decode() for row in tokenizer.words(train).to_list() for w in row}
    assert set(vocabulary.tokens[4:]) == words
    # Unicode whitespace splits, case and punctuation are kept.
    assert {"Hello,", "world!", "Dog", "café"} <= words
    assert "Hello,\u00a0world!" not in vocabulary.tokens
    assert "testonly" not in vocabulary.tokens  # test words are not counted
    # Most frequent first: the tokenizer maps train words to known ids.
    ids = kvc.layers.TextTokenizer(vocabulary)(train).flat_values.numpy()
    assert (ids != kvc.likelihoods.UNK_ID).all()


def test_max_vocabulary_keeps_the_most_frequent(tmp_path, monkeypatch):
    monkeypatch.setattr(D.KvcText, "MAX_VOCABULARY", 7)
    folder = str(tmp_path / "mine")
    write(os.path.join(folder, "train.txt"), ["b b b a a c d"] * 3 + ["e"])
    write(os.path.join(folder, "valid.txt"), ["x"])
    write(os.path.join(folder, "test.txt"), ["y"])
    b = prepare(folder, str(tmp_path / "cache"))
    assert b.vocabulary().tokens[4:] == ["b", "a", "c"]


def test_bad_files_name_the_problem(tmp_path):
    folder = text_folder(str(tmp_path / "empty_line"))
    write(os.path.join(folder, "test.txt"), ["fine", "   ", "fine"])
    with pytest.raises(D.MalformedFileError, match=r"test.txt:2: empty line"):
        prepare(folder, str(tmp_path / "cache"))
    folder = text_folder(str(tmp_path / "both"), valid=2)
    write(os.path.join(folder, "validation.txt"), ["x"])
    with pytest.raises(ValueError, match="both valid.txt and validation.txt"):
        prepare(folder, str(tmp_path / "cache"))
    folder = str(tmp_path / "no_test")
    write(os.path.join(folder, "train.txt"), ["a b", "c d"])
    with pytest.raises(FileNotFoundError, match="test.txt"):
        prepare(folder, str(tmp_path / "cache"))
    folder = str(tmp_path / "one_line")
    write(os.path.join(folder, "train.txt"), ["a b"])
    write(os.path.join(folder, "test.txt"), ["a b"])
    with pytest.raises(D.MalformedFileError, match="at least 2 lines"):
        prepare(folder, str(tmp_path / "cache"))


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path):
    folder = text_folder(str(tmp_path / "mine"), valid=2)
    with open(os.path.join(folder, "test.txt"), "w", encoding="utf-8-sig") as f:
        f.write("first line\nsecond line\n")
    b = prepare(folder, str(tmp_path / "cache"))
    assert D.split_examples(b, "test") == ["first line", "second line"]


def test_train_script_on_your_own_text(tmp_path):
    folder = text_folder(str(tmp_path / "mine"))
    out = str(tmp_path / "run")
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "train.py"),
            "--dataset=text",
            f"--data_dir={folder}",
            "--method=vae",
            "--epochs=1",
            "--steps_per_epoch=3",
            f"--output_dir={out}",
            f"--cache_dir={tmp_path / 'cache'}",
            "--tensorboard=false",
            "--verbose=2",
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[kvc] examples {'train': 57, 'validation': 3, 'test': 8}" in done.stdout
    model = kvc.models.VAE.from_preset(os.path.join(out, "model"))
    mu, logvar = model.encode(["the cat sat on a mat", "Hello,\u00a0world! unseen"])
    assert mu.shape == logvar.shape == (2, 32)
    assert np.isfinite(mu).all() and np.isfinite(logvar).all()
    vocabulary = model.tokenizer.vocabulary
    assert vocabulary == prepare(folder, str(tmp_path / "cache")).vocabulary()
