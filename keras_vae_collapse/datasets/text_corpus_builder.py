"""Shared base of the package's text-corpus tfds builders (not registered)."""

import numpy as np
import tensorflow_datasets as tfds

from keras_vae_collapse.datasets.vocabulary import Vocabulary


class TextCorpusBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Base of the text builders: a `text` feature (plus `label` when
    `NUM_CLASSES` is set) and the corpus vocabulary in `info.metadata`.

    Subclasses set `EXPECTED_COUNTS` (examples per split, from the data
    README) and implement `_splits(manual_dir) -> ({split: (texts, labels)},
    Vocabulary)`; labelled ones set `NUM_CLASSES` and `LABEL = "label"`.

    Every builder of the package describes itself with class attributes:
    `MODALITY` ("text", "images" or "token_ids"), `FEATURE` (key of the model
    input), `LABEL` (label key or None), `SPLITS` and `NEEDS_FILES` (False
    for generated data); `batching.batches` relies on them.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}
    MODALITY = "text"
    FEATURE = "text"
    LABEL = None
    SPLITS = ("train", "validation", "test")
    NEEDS_FILES = True
    NUM_CLASSES = None
    EXPECTED_COUNTS = {}
    HOMEPAGE = None
    CITATION = None

    def _info(self):
        features = {"text": tfds.features.Text()}
        if self.NUM_CLASSES:
            features["label"] = tfds.features.ClassLabel(num_classes=self.NUM_CLASSES)
        return tfds.core.DatasetInfo(
            builder=self,
            disable_shuffling=True,  # examples keep the order of the files
            description=(self.__doc__ or "").strip(),
            features=tfds.features.FeaturesDict(features),
            supervised_keys=("text", "label") if self.NUM_CLASSES else None,
            homepage=self.HOMEPAGE,
            citation=self.CITATION,
            metadata=tfds.core.MetadataDict(),
        )

    def _split_generators(self, dl_manager):
        splits, vocabulary = self._splits(str(dl_manager.manual_dir))
        self.info.metadata["vocabulary"] = vocabulary.tokens
        return {
            name: self._generate_examples(texts, labels)
            for name, (texts, labels) in splits.items()
        }

    def _generate_examples(self, texts, labels):
        for i, text in enumerate(texts):
            example = {"text": text}
            if self.NUM_CLASSES:
                example["label"] = labels[i]
            yield i, example

    def _splits(self, manual_dir):
        raise NotImplementedError

    def vocabulary(self):
        """The corpus `Vocabulary` (after `download_and_prepare`)."""
        return Vocabulary(self.info.metadata["vocabulary"])


def seeded_split(items, sizes, seed):
    """Splits `items` by a seeded permutation into consecutive `sizes`
    (None takes the rest); returns a list of lists in permuted order."""
    order = np.random.default_rng(seed).permutation(len(items))
    rest = len(items) - sum(s for s in sizes if s is not None)
    if rest < 0:
        raise ValueError(f"{len(items)} items cannot be split into {sizes}")
    out, start = [], 0
    for size in sizes:
        size = rest if size is None else size
        out.append([items[i] for i in order[start : start + size]])
        start += size
    return out
