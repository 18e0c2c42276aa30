"""tfds builder of the labelled short-Yelp sentiment set."""

from keras_vae_collapse.datasets.files import find_file, read_labelled
from keras_vae_collapse.datasets.text_corpus_builder import TextCorpusBuilder
from keras_vae_collapse.datasets.vocabulary import Vocabulary

#: Sizes of the labelled training subsets (named splits `train_<size>`).
TRAIN_SUBSETS = (100, 500, 1000, 2000, 10000)


def short_yelp_files(manual_dir):
    """{split: path} of the short-Yelp files in `manual_dir`."""
    files = {
        f"train_{n}": find_file(
            manual_dir, [f"short_yelp.train.{n}.txt"], f"{n}-example training file"
        )
        for n in TRAIN_SUBSETS
    }
    files["validation"] = find_file(manual_dir, ["short_yelp.valid.txt"], "valid file")
    files["test"] = find_file(manual_dir, ["short_yelp.test.txt"], "test file")
    return files


class KvcShortYelp(TextCorpusBuilder):
    """The downsampled, labelled Yelp sentiment set of the representation-
    learning tables (Scale-VAE Table 4, BN-VAE, DU-VAE): `label<TAB>sentence`
    lines (label 0 negative, 1 positive).

    Files come from the DG-VAEs repository of Li et al. (MIT): put
    `short_yelp.valid.txt`, `short_yelp.test.txt`,
    `short_yelp.train.{100,500,1000,2000,10000}.txt` and `vocab.txt` in one
    directory. Splits: `validation`, `test` and the labelled training subsets
    `train_100` ... `train_10000` (the protocol's 100 / 500 / 1k / 2k / 10k
    labelled examples). The unlabelled 100k training split is not part of
    this builder: train the VAE on `kvc_yelp_sentiment`, which excludes every
    sentence of this set.
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    HOMEPAGE = "https://github.com/zhaoxinyu/DG-VAEs"
    NUM_CLASSES = 2
    LABEL = "label"
    SPLITS = (*(f"train_{n}" for n in TRAIN_SUBSETS), "validation", "test")
    EXPECTED_COUNTS = {
        **{f"train_{n}": n for n in TRAIN_SUBSETS},
        "validation": 10_000,
        "test": 10_000,
    }

    def _splits(self, manual_dir):
        splits = {
            name: read_labelled(path)
            for name, path in short_yelp_files(manual_dir).items()
        }
        vocabulary = Vocabulary.from_file(
            find_file(manual_dir, ["vocab.txt"], "vocabulary")
        )
        return splits, vocabulary
