"""tfds builder of the Penn Treebank language-modelling text."""

from keras_vae_collapse.datasets.files import find_file, read_documents
from keras_vae_collapse.datasets.text_corpus_builder import TextCorpusBuilder
from keras_vae_collapse.datasets.vocabulary import Vocabulary


class KvcPtb(TextCorpusBuilder):
    """Penn Treebank sentences in Mikolov's distribution (10k-word vocabulary,
    rare words already `<unk>`, numbers `N`): 42,068 / 3,370 / 3,761
    sentences. A common extra text-VAE benchmark (Bowman et al. 2016).

    Files: `train.txt`, `valid.txt`, `test.txt` (or `ptb.train.txt` ...) of
    Mikolov's `simple-examples` archive, in one directory. The vocabulary is
    built from the training split.
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    HOMEPAGE = "https://www.fit.vutbr.cz/~imikolov/rnnlm/"
    EXPECTED_COUNTS = {"train": 42_068, "validation": 3_370, "test": 3_761}

    def _splits(self, manual_dir):
        splits = {}
        names = {"train": "train", "validation": "valid", "test": "test"}
        for split, name in names.items():
            path = find_file(
                manual_dir, [f"{name}.txt", f"ptb.{name}.txt"], f"{name} file"
            )
            splits[split] = (read_documents(path), None)
        return splits, Vocabulary.build(splits["train"][0])
