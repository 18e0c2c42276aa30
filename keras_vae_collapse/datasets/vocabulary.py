"""Token vocabulary shared by the text pipelines and the saved models."""

import collections

import numpy as np

from keras_vae_collapse.datasets.files import MalformedFileError, read_lines
from keras_vae_collapse.likelihoods.token_categorical import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
)

#: The special tokens at ids 0, 1, 2, 3 of every vocabulary of the package.
SPECIAL_TOKENS = ("<pad>", "<unk>", "<s>", "</s>")


class Vocabulary:
    """Maps whitespace-separated tokens to ids and back.

    Ids 0-3 are always <pad>, <unk>, <s>, </s> (the order of the Yahoo / Yelp
    dictionaries of Yang et al. 2017 and of `TokenCategorical`); the corpus
    tokens follow in their given order. Unknown words map to <unk>.

    Args:
        tokens: the corpus tokens; special tokens among them are moved to
            their fixed ids, duplicates are an error.
    """

    def __init__(self, tokens):
        words = [t for t in tokens if t not in SPECIAL_TOKENS]
        seen = set()
        for word in words:
            if word in seen:
                raise ValueError(f"duplicate token {word!r} in vocabulary")
            if not word or any(c.isspace() for c in word):
                raise ValueError(f"invalid token {word!r}: empty or has spaces")
            seen.add(word)
        self.tokens = list(SPECIAL_TOKENS) + words
        self._ids = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self):
        return len(self.tokens)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.tokens == other.tokens

    @classmethod
    def from_file(cls, path):
        """Reads `token` or `token index` lines (Yang et al.'s `.dict` files).

        With indices, tokens are ordered by index.
        """
        entries = []
        for number, text in read_lines(path):
            columns = text.split()
            if len(columns) == 1:
                entries.append((len(entries), columns[0]))
            elif len(columns) == 2 and columns[1].isdigit():
                entries.append((int(columns[1]), columns[0]))
            else:
                raise MalformedFileError(
                    path, number, "expected 'token' or 'token index'"
                )
        try:
            return cls([token for _, token in sorted(entries)])
        except ValueError as error:
            raise MalformedFileError(path, None, str(error)) from error

    @classmethod
    def build(cls, texts, max_size=None, min_count=1):
        """Vocabulary of the most frequent tokens of `texts` (ties by token).

        Args:
            texts: iterable of strings.
            max_size: cap on the size, the 4 special tokens included.
            min_count: drop tokens seen fewer times.
        """
        counts = collections.Counter()
        for text in texts:
            counts.update(text.split())
        kept = [t for t, c in counts.items() if c >= min_count]
        ranked = sorted(
            (t for t in kept if t not in SPECIAL_TOKENS), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            if max_size <= len(SPECIAL_TOKENS):
                raise ValueError(f"max_size must be > 4, got {max_size}")
            ranked = ranked[: max_size - len(SPECIAL_TOKENS)]
        return cls(ranked)

    def save(self, path):
        """Writes one token per line (the format `from_file` reads)."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(self.tokens) + "\n")

    def token_id(self, token):
        return self._ids.get(token, UNK_ID)

    def encode(self, text, max_length=None):
        """Ids of `<s> text </s>`, keeping at most `max_length` words."""
        words = text.split()
        if max_length is not None:
            words = words[: int(max_length)]
        return [BOS_ID] + [self.token_id(w) for w in words] + [EOS_ID]

    def encode_batch(self, texts, max_length=None):
        """int32 [N, T] ids of `texts`, padded with <pad> (0)."""
        rows = [self.encode(t, max_length) for t in texts]
        out = np.full((len(rows), max(map(len, rows), default=2)), PAD_ID, np.int32)
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out

    def decode(self, ids):
        """Text of one id sequence: <s> and <pad> are skipped, </s> ends it."""
        words = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if i == EOS_ID:
                break
            if i in (PAD_ID, BOS_ID):
                continue
            words.append(self.tokens[i] if 0 <= i < len(self.tokens) else "<unk>")
        return " ".join(words)
