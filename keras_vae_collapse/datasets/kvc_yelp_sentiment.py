"""tfds builder of the Yelp sentiment sentences of Shen et al. 2017."""

import os

from keras_vae_collapse.datasets.files import find_file, read_documents, read_labelled
from keras_vae_collapse.datasets.kvc_short_yelp import short_yelp_files
from keras_vae_collapse.datasets.text_corpus_builder import (
    TextCorpusBuilder,
    seeded_split,
)
from keras_vae_collapse.datasets.vocabulary import Vocabulary

#: Validation and test sizes of the deduplicated pool (seed 0; a tenth of the
#: pool each for pools under 100,000 sentences); the rest trains.
HELD_OUT = 10_000
SEED = 0
MAX_VOCAB = 10_000


class KvcYelpSentiment(TextCorpusBuilder):
    """Yelp review sentences of Shen et al. 2017 (style-transfer corpus), with
    sentiment labels, as a VAE training corpus for the short-Yelp protocol.

    Files: `sentiment.{train,dev,test}.{0,1}` of the Shen et al. repository
    (Apache-2.0), one sentence a line, label = file suffix; any of the files
    may be missing as long as some are there. The short-Yelp files
    (`kvc_short_yelp`) must be in a `short_yelp/` folder inside this
    directory or next to it: every sentence that occurs in them is removed,
    so the representation-learning evaluation does not leak into training.

    All sentences are pooled and deduplicated (a sentence keeps the label of
    its first occurrence, in file order train, dev, test and 0 before 1), the
    short-Yelp sentences are removed, and a seeded permutation (seed 0) gives
    10,000 validation, 10,000 test and the rest training sentences (a tenth
    each for validation and test when the pool is under 100,000). The
    vocabulary is the 10,000 most frequent tokens of the training split
    (special tokens included).
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    HOMEPAGE = "https://github.com/shentianxiao/language-style-transfer"
    NUM_CLASSES = 2
    LABEL = "label"
    #: The training split is the rest of the pool (168,485 unique sentences
    #: in the shared copy, minus the short-Yelp ones, `info.metadata`).
    EXPECTED_COUNTS = {"validation": HELD_OUT, "test": HELD_OUT}
    EXPECTED_POOL = 168_485

    def _splits(self, manual_dir):
        pool = {}
        found = 0
        for part in ("train", "dev", "test"):
            for label in (0, 1):
                path = find_file(
                    manual_dir, [f"sentiment.{part}.{label}"], "file", required=False
                )
                if path is None:
                    continue
                found += 1
                for sentence in read_documents(path):
                    pool.setdefault(sentence, label)
        if not found:
            raise FileNotFoundError(
                f"no sentiment.{{train,dev,test}}.{{0,1}} files in {manual_dir!r}"
            )
        excluded = self._short_yelp_sentences(manual_dir)
        kept = [(s, y) for s, y in pool.items() if s not in excluded]
        self.info.metadata["pool_size"] = len(pool)
        self.info.metadata["excluded_short_yelp"] = len(pool) - len(kept)
        held_out = min(HELD_OUT, len(kept) // 10)
        valid, test, train = seeded_split(kept, [held_out, held_out, None], SEED)
        splits = {
            name: ([s for s, _ in items], [y for _, y in items])
            for name, items in (("train", train), ("validation", valid), ("test", test))
        }
        vocabulary = Vocabulary.build(splits["train"][0], max_size=MAX_VOCAB)
        return splits, vocabulary

    @staticmethod
    def _short_yelp_sentences(manual_dir):
        for folder in (
            os.path.join(manual_dir, "short_yelp"),
            os.path.join(os.path.dirname(os.path.abspath(manual_dir)), "short_yelp"),
        ):
            if os.path.isdir(folder):
                sentences = set()
                for path in short_yelp_files(folder).values():
                    sentences.update(read_labelled(path)[0])
                return sentences
        raise FileNotFoundError(
            f"no short_yelp/ folder in or next to {manual_dir!r}: it is needed to "
            "exclude the short-Yelp evaluation sentences from training"
        )
