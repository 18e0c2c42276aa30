"""tfds builder of your own text: one sentence or document per line."""

import os

import numpy as np

from keras_vae_collapse.datasets.files import MalformedFileError, find_file, read_lines
from keras_vae_collapse.datasets.text_corpus_builder import TextCorpusBuilder
from keras_vae_collapse.datasets.vocabulary import Vocabulary


class KvcText(TextCorpusBuilder):
    """Your own text (dataset `"text"`): one sentence or document per line.

    Files, in one directory, UTF-8: `train.txt` and `test.txt` (required)
    and `valid.txt` or `validation.txt` (optional; not both). Every line is
    one example. As for every corpus of the package, an empty or
    whitespace-only line is an error (`MalformedFileError` naming the file
    and line), not skipped: remove such lines first. If there is no
    validation file, a seeded 5% of the lines of `train.txt` (at least 1;
    seed `VALIDATION_SEED` = 0, so the same lines every time) become the
    validation split and the rest the training split, both in file order.

    The `text` feature is the line as written (only its line ending and a
    UTF-8 byte-order mark at the start of a file removed); the model's
    `TextTokenizer` tokenises it. The vocabulary is built from the training
    split only, from the words exactly as the model's tokenizer finds them
    (`TextTokenizer.words` with the default rules: split on Unicode
    whitespace, case and punctuation kept, so `Great!` is one word): the
    `MAX_VOCABULARY` = 20,000 most frequent words (the 4 special tokens
    included; ties in alphabetical order) seen at least `MIN_COUNT` = 1
    times; other words become `<unk>`. Only the default rules are supported
    (lower-casing and punctuation splitting are not options yet, because the
    trainer's tokenizer uses the default rules): to lower-case or split
    punctuation, preprocess the files.
    """

    MANUAL_DOWNLOAD_INSTRUCTIONS = __doc__
    EXPECTED_COUNTS = {}  # your corpus: any size
    #: Share of `train.txt` held out as validation when there is no
    #: validation file (at least 1 line), chosen with this seed.
    VALIDATION_FRACTION = 0.05
    VALIDATION_SEED = 0
    #: Vocabulary size cap (special tokens included) and minimum word count.
    MAX_VOCABULARY = 20_000
    MIN_COUNT = 1
    #: The tokenizer rules the vocabulary's words follow (`TextTokenizer`'s
    #: `lowercase` and `split_punctuation`); the trainer's tokenizer uses the
    #: defaults, so these must stay False.
    LOWERCASE = False
    SPLIT_PUNCTUATION = False

    def _splits(self, manual_dir):
        train_path = find_file(manual_dir, ["train.txt"], "training file")
        test_path = find_file(manual_dir, ["test.txt"], "test file")
        names = ["valid.txt", "validation.txt"]
        found = [n for n in names if os.path.isfile(os.path.join(manual_dir, n))]
        if len(found) > 1:
            raise ValueError(
                f"both valid.txt and validation.txt in {manual_dir!r}: keep one"
            )
        train = read_examples(train_path)
        if found:
            validation = read_examples(os.path.join(manual_dir, found[0]))
        else:
            train, validation = self._hold_out(train, train_path)
        test = read_examples(test_path)
        vocabulary = Vocabulary.build(
            self._word_lines(train),
            max_size=self.MAX_VOCABULARY,
            min_count=self.MIN_COUNT,
        )
        splits = {"train": train, "validation": validation, "test": test}
        return {name: (texts, None) for name, texts in splits.items()}, vocabulary

    def _hold_out(self, lines, path):
        """(train, validation): a seeded share of `lines`, both in file order."""
        n = len(lines)
        if n < 2:
            raise MalformedFileError(
                path,
                None,
                "needs at least 2 lines when there is no valid.txt (one is "
                "held out for validation)",
            )
        k = max(1, int(n * self.VALIDATION_FRACTION))
        rng = np.random.default_rng(self.VALIDATION_SEED)
        held = set(rng.permutation(n)[:k].tolist())
        train = [t for i, t in enumerate(lines) if i not in held]
        validation = [t for i, t in enumerate(lines) if i in held]
        return train, validation

    def _word_lines(self, texts, chunk=4096):
        """Yields each text's words as the tokenizer finds them, joined by
        single spaces (what `Vocabulary.build` splits)."""
        tokenizer = self.tokenizer()
        for start in range(0, len(texts), chunk):
            for words in tokenizer.words(texts[start : start + chunk]).to_list():
                yield " ".join(w.decode("utf-8") for w in words)

    def tokenizer(self, max_length=None):
        """A `TextTokenizer` with this builder's word rules, and its
        vocabulary once the dataset is prepared."""
        # Imported here: the layers package imports this one.
        from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

        vocabulary = self.info.metadata.get("vocabulary")
        return TextTokenizer(
            vocabulary,
            max_length,
            lowercase=self.LOWERCASE,
            split_punctuation=self.SPLIT_PUNCTUATION,
        )


def read_examples(path):
    """The lines of a UTF-8 file as written (line endings and a leading
    byte-order mark removed); empty lines are `MalformedFileError`s."""
    lines = []
    for number, text in read_lines(path):
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
            if not text.strip():
                raise MalformedFileError(path, number, "empty line")
        lines.append(text)
    return lines
