"""tfds builder of the Yahoo Answers corpus of Yang et al. 2017."""

from keras_vae_collapse.datasets.text_corpus_builder import TextCorpusBuilder
from keras_vae_collapse.datasets.yang_corpus import yang_corpus_splits


class KvcYahoo(TextCorpusBuilder):
    """Yahoo Answers documents (Yang et al. 2017), one per line, lower-cased,
    at most 200 words, out-of-vocabulary words written `_UNK` (kept as an
    ordinary token, as in the reference code). The corpus of the Agg-VAE,
    BN-VAE and Scale-VAE text tables.

    Files come from the public repositories of Yang et al. 2017 / He et al.
    2019 (`yahoo_data/`). Put `train.txt`, `valid.txt` (or `val.txt`),
    `test.txt` and the vocabulary `yahoo.dict` or `vocab.txt` in one
    directory (prefixed names `yahoo.train.txt` ... also work). If there is
    no training file (the copy shipped for development holds only `val.txt`
    and `test.txt`), 90% of the validation documents (9,000 of 10,000;
    seeded permutation, seed 0) become the training split and the other
    1,000 the validation split; the test split is untouched.
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    HOMEPAGE = "https://github.com/jxhe/vae-lagging-encoder"
    #: The shared copy (val.txt and test.txt, 10,000 documents each).
    EXPECTED_COUNTS = {"train": 9_000, "validation": 1_000, "test": 10_000}

    def _splits(self, manual_dir):
        return yang_corpus_splits(manual_dir, "yahoo")
