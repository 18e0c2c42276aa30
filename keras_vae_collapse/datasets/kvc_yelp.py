"""tfds builder of the Yelp review corpus of Yang et al. 2017."""

from keras_vae_collapse.datasets.text_corpus_builder import TextCorpusBuilder
from keras_vae_collapse.datasets.yang_corpus import yang_corpus_splits


class KvcYelp(TextCorpusBuilder):
    """Yelp reviews as prepared by Yang et al. 2017 (100k / 10k / 10k
    documents, one per line, at most 200 words, vocabulary of 20k): the Yelp
    corpus of the Agg-VAE and BN-VAE text tables.

    Files come from the public repositories of Yang et al. 2017 / He et al.
    2019 (`yelp_data/`). Put `train.txt`, `valid.txt`, `test.txt` (or
    `yelp.train.txt` ...) and the vocabulary `vocab.txt` / `yelp.vocab` /
    `yelp.dict` in one directory. Without a training file, 90% of the
    validation documents (seed 0) train and the rest validate, as for
    `kvc_yahoo`.
    Not shipped with the development data of this project (its Yelp copy is
    the sentence corpus of `kvc_yelp_sentiment`).
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    HOMEPAGE = "https://github.com/jxhe/vae-lagging-encoder"
    EXPECTED_COUNTS = {"train": 100_000, "validation": 10_000, "test": 10_000}

    def _splits(self, manual_dir):
        return yang_corpus_splits(manual_dir, "yelp")
