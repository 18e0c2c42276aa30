"""Reading the Yahoo / Yelp corpora in the layout of Yang et al. 2017."""

from keras_vae_collapse.datasets.files import find_file, read_documents
from keras_vae_collapse.datasets.text_corpus_builder import seeded_split
from keras_vae_collapse.datasets.vocabulary import Vocabulary

#: With no training file, this fraction of the validation documents (9,000 of
#: Yahoo's 10,000; seeded permutation) trains and the rest validates; the
#: test split stays untouched.
DERIVED_TRAIN_FRACTION = 0.9
DERIVED_SEED = 0


def yang_corpus_splits(manual_dir, prefix, max_vocab=20_000):
    """({split: (texts, None)}, Vocabulary) of a Yang et al. corpus.

    Files (either name works): `train.txt` / `<prefix>.train.txt`,
    `valid.txt` / `val.txt` / `<prefix>.valid.txt`, `test.txt` /
    `<prefix>.test.txt`, and the vocabulary `<prefix>.dict` / `vocab.txt` /
    `<prefix>.vocab` (`token` or `token index` lines). Without a training file
    the validation file is split: 90% of its documents train (9,000 of
    Yahoo's 10,000; seeded permutation, seed 0) and the others validate.
    Without a vocabulary file one is built from the training split (at most
    `max_vocab` tokens).
    """
    names = {
        "train": ["train.txt", f"{prefix}.train.txt"],
        "validation": ["valid.txt", "val.txt", f"{prefix}.valid.txt"],
        "test": ["test.txt", f"{prefix}.test.txt"],
    }
    train = find_file(manual_dir, names["train"], "training file", required=False)
    valid = read_documents(find_file(manual_dir, names["validation"], "valid file"))
    test = read_documents(find_file(manual_dir, names["test"], "test file"))
    if train is None:
        size = int(round(DERIVED_TRAIN_FRACTION * len(valid)))
        train_docs, valid = seeded_split(valid, [size, None], DERIVED_SEED)
    else:
        train_docs = read_documents(train)
    vocab_file = find_file(
        manual_dir,
        [f"{prefix}.dict", "vocab.txt", f"{prefix}.vocab"],
        "vocabulary",
        required=False,
    )
    if vocab_file is not None:
        vocabulary = Vocabulary.from_file(vocab_file)
    else:
        vocabulary = Vocabulary.build(train_docs, max_size=max_vocab)
    splits = {
        "train": (train_docs, None),
        "validation": (valid, None),
        "test": (test, None),
    }
    return splits, vocabulary
