"""tfds builder of a stored draw of the synthetic corpus of He et al. 2019."""

import numpy as np
import tensorflow_datasets as tfds

from keras_vae_collapse.datasets import synthetic_he2019
from keras_vae_collapse.datasets.files import MalformedFileError, find_file, read_lines

#: Tokens per sequence and generator vocabulary of the recipe.
SEQUENCE_LENGTH = 10
GENERATOR_VOCAB = 1000


class KvcSyntheticDraw(tfds.core.GeneratorBasedBuilder):
    """A stored draw of He et al.'s synthetic corpus, e.g. the one the
    reference code (jxhe/vae-lagging-encoder) trains on, so our numbers
    compare with its numbers on identical data.

    Files: `synthetic_train.txt`, `synthetic_valid.txt`, `synthetic_test.txt`
    (or `train.txt` ...), one sequence per line: 10 generator token ids in
    [0, 1000) separated by spaces. Features: `ids` (int32 [12], model ids
    with <s> and </s>, as `synthetic_he2019.to_model_ids`).
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    MODALITY = "token_ids"
    FEATURE = "ids"
    LABEL = None
    SPLITS = ("train", "validation", "test")
    NEEDS_FILES = True
    EXPECTED_COUNTS = {"train": 16_000, "validation": 2_000, "test": 2_000}

    @classmethod
    def vocab_size(cls):
        """Model vocabulary size of the `ids` (special ids included)."""
        return synthetic_he2019.vocab_size(GENERATOR_VOCAB)

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            disable_shuffling=True,  # examples keep the order of the files
            description=(self.__doc__ or "").strip(),
            features=tfds.features.FeaturesDict(
                {
                    "ids": tfds.features.Tensor(
                        shape=(SEQUENCE_LENGTH + 2,), dtype=np.int32
                    )
                }
            ),
            homepage="https://github.com/jxhe/vae-lagging-encoder",
        )

    def _split_generators(self, dl_manager):
        directory = str(dl_manager.manual_dir)
        names = {"train": "train", "validation": "valid", "test": "test"}
        return {
            split: self._generate_examples(
                find_file(
                    directory,
                    [f"synthetic_{name}.txt", f"{name}.txt"],
                    f"{name} file",
                )
            )
            for split, name in names.items()
        }

    def _generate_examples(self, path):
        rows = []
        for number, text in read_lines(path):
            words = text.split()
            if len(words) != SEQUENCE_LENGTH or not all(w.isdigit() for w in words):
                raise MalformedFileError(
                    path, number, f"expected {SEQUENCE_LENGTH} integer token ids"
                )
            tokens = [int(w) for w in words]
            if max(tokens) >= GENERATOR_VOCAB:
                raise MalformedFileError(
                    path, number, f"token ids must be < {GENERATOR_VOCAB}"
                )
            rows.append(tokens)
        ids = synthetic_he2019.to_model_ids(np.array(rows, np.int32))
        for i, row in enumerate(ids):
            yield i, {"ids": row}
