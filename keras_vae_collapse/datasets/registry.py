"""One-line access to the package's tfds builders from a local directory."""

import os

import tensorflow_datasets as tfds

from keras_vae_collapse.datasets.kvc_omniglot import KvcOmniglot
from keras_vae_collapse.datasets.kvc_ptb import KvcPtb
from keras_vae_collapse.datasets.kvc_short_yelp import KvcShortYelp
from keras_vae_collapse.datasets.kvc_synthetic import KvcSynthetic
from keras_vae_collapse.datasets.kvc_synthetic_draw import KvcSyntheticDraw
from keras_vae_collapse.datasets.kvc_yahoo import KvcYahoo
from keras_vae_collapse.datasets.kvc_yelp import KvcYelp
from keras_vae_collapse.datasets.kvc_yelp_sentiment import KvcYelpSentiment

#: Short name -> builder class (tfds name `kvc_<short name>`).
BUILDERS = {
    "yahoo": KvcYahoo,
    "yelp": KvcYelp,
    "yelp_sentiment": KvcYelpSentiment,
    "short_yelp": KvcShortYelp,
    "omniglot": KvcOmniglot,
    "ptb": KvcPtb,
    "synthetic": KvcSynthetic,
    "synthetic_he2019": KvcSyntheticDraw,
}


def default_data_root():
    """`$KVC_DATA_DIR` (the folder of the dataset folders), or None if unset.

    Never guessed from the working directory: callers that know a layout
    (tests, scripts) add their own fallback."""
    return os.environ.get("KVC_DATA_DIR") or None


def builder(name, data_dir=None, cache_dir=None):
    """The prepared tfds builder of dataset `name`, made from local files.

    Args:
        name: one of `BUILDERS` (`"yahoo"`, ...) or its tfds name
            (`"kvc_yahoo"`).
        data_dir: directory holding the dataset's original files (the
            builder's docstring says which); not needed when the builder's
            `NEEDS_FILES` is False (generated data such as `"synthetic"`).
        cache_dir: where tfds writes the prepared dataset (default: tfds's
            `~/tensorflow_datasets` or `$TFDS_DATA_DIR`).
    """
    short = name[len("kvc_") :] if name.startswith("kvc_") else name
    if short not in BUILDERS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(BUILDERS)}")
    cls = BUILDERS[short]
    if data_dir is None and cls.NEEDS_FILES:
        raise ValueError(f"dataset {short!r} needs data_dir, the folder of its files")
    if data_dir is not None and not os.path.isdir(data_dir):
        raise FileNotFoundError(f"data_dir {data_dir!r} is not a directory")
    instance = cls(data_dir=cache_dir)
    instance.download_and_prepare(
        download_config=tfds.download.DownloadConfig(
            manual_dir=os.path.abspath(data_dir) if data_dir else None
        )
    )
    return instance


def load(name, data_dir=None, split="train", cache_dir=None, **kwargs):
    """`tf.data.Dataset` of one split, e.g. `load("yahoo", "data/yahoo")`.

    Prepares the dataset on first use (see `builder`); `kwargs` go to
    `as_dataset` (`shuffle_files`, `as_supervised`, ...).
    """
    return builder(name, data_dir, cache_dir).as_dataset(split=split, **kwargs)


def check_counts(prepared):
    """Compares a prepared builder's example counts with the counts its
    docstring states (`EXPECTED_COUNTS`, from the data README); returns
    {split: count} and raises ValueError on a mismatch."""
    counts = {s: info.num_examples for s, info in prepared.info.splits.items()}
    wrong = {
        s: (counts.get(s), n)
        for s, n in prepared.EXPECTED_COUNTS.items()
        if counts.get(s) != n
    }
    if wrong:
        raise ValueError(
            f"{prepared.name}: example counts (found, expected) differ: {wrong}"
        )
    return counts
