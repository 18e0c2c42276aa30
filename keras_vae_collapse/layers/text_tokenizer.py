"""A Keras layer that turns raw text into token ids, vocabulary included."""

import os

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse.datasets.vocabulary import SPECIAL_TOKENS, Vocabulary
from keras_vae_collapse.likelihoods.token_categorical import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
)

#: Name of the vocabulary asset written by `save_assets`.
VOCABULARY_ASSET = "vocabulary.txt"

# Exactly the characters Python's `str.isspace()` accepts: ASCII \t \n \v \f
# \r, the separators U+001C-U+001F and U+0085, and every Unicode separator
# (\p{Z}: U+0020, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
# U+205F, U+3000).
_WHITESPACE_RUN = r"[\x{09}-\x{0d}\x{1c}-\x{1f}\x{85}\p{Z}]+"
_PUNCTUATION = r"(\p{P})"


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class TextTokenizer(keras.layers.Layer):
    """Raw text -> `<s> words </s>` token ids, with the vocabulary inside.

    The rules, applied in this order with TensorFlow string ops only (so the
    ids are the same eagerly, in `tf.data`, in a `tf.function` and in an
    exported SavedModel):
      1. `lowercase`: `tf.strings.lower(encoding="utf-8")` (Unicode lower
         case; invalid UTF-8 bytes become U+FFFD).
      2. `split_punctuation`: every Unicode punctuation character (`\\p{P}`,
         e.g. `. , ! ? ' " - ( ) « ¿`; not symbols such as `$ + =`) becomes a
         word of its own: "great!" -> "great", "!".
      3. Split on runs of Unicode whitespace: exactly the characters of
         Python's `str.isspace()` (ASCII whitespace, U+001C-U+001F, U+0085
         and the `\\p{Z}` separators such as U+00A0 and U+3000); with both
         options off the words are those of `text.split()`.
      4. Keep the first `max_length` words (None: all), map each to its id
         (unknown words -> `<unk>` = 1; special tokens written in the text
         map to their ids as in `Vocabulary.encode`, a literal `<pad>` to 0),
         then add `<s>` (2) first and `</s>` (3) last. An empty text gives
         `<s> </s>`.

    `call` gives int32 ids, ragged [B, None] for a 1-D batch of strings and
    1-D for a scalar; `dense` pads a batch with `<pad>` (0). The vocabulary is
    not in `get_config()`: it is saved as the asset `vocabulary.txt`, so a
    `.keras` model holding this layer reloads it with no side file.

    Args:
        vocabulary: a `Vocabulary`, a list of tokens starting with
            `<pad> <unk> <s> </s>` (list index = id), a path to a vocabulary
            file (`Vocabulary.from_file`), or None (set later with
            `set_vocabulary` or `load_assets`).
        max_length: words kept per text, counted after the rules (None: all).
        lowercase: lower-case the text first.
        split_punctuation: make each punctuation character its own word.
    """

    def __init__(
        self,
        vocabulary=None,
        max_length=None,
        lowercase=False,
        split_punctuation=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if max_length is not None and (
            isinstance(max_length, bool)
            or not isinstance(max_length, (int, np.integer))
            or max_length < 1
        ):
            raise ValueError(
                f"max_length must be None or an integer >= 1, got {max_length!r}"
            )
        self.max_length = None if max_length is None else int(max_length)
        self.lowercase = bool(lowercase)
        self.split_punctuation = bool(split_punctuation)
        # Inputs are strings: no float conversion, Python strings accepted.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self._vocabulary = None
        self._table = None
        # No weights: built now, so `ExportArchive.track` accepts it at once.
        self.built = True
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    # ----------------------------------------------------------- vocabulary
    @property
    def vocabulary(self):
        """The `Vocabulary` (None until one is set)."""
        return self._vocabulary

    @property
    def vocabulary_size(self):
        """Number of token ids, the 4 special tokens included."""
        return len(self._require_vocabulary())

    def set_vocabulary(self, vocabulary):
        """Sets (or replaces) the vocabulary; see the class arguments."""
        self._vocabulary = _as_vocabulary(vocabulary)
        tokens = self._vocabulary.tokens
        # The table is a plain TF resource attribute, created once here
        # (outside any graph): TF tracking exports it with the layer, and
        # Keras saving ignores it (the vocabulary travels as an asset).
        with tf.init_scope():
            initializer = tf.lookup.KeyValueTensorInitializer(
                tf.constant(tokens, tf.string),
                tf.range(len(tokens), dtype=tf.int32),
                key_dtype=tf.string,
                value_dtype=tf.int32,
            )
            self._table = tf.lookup.StaticHashTable(initializer, UNK_ID)

    def _require_vocabulary(self):
        if self._vocabulary is None:
            raise ValueError(
                f"TextTokenizer '{self.name}' has no vocabulary: pass one to "
                "the constructor or call `set_vocabulary()` first"
            )
        return self._vocabulary

    def save_assets(self, dir_path):
        if self._vocabulary is not None:
            self._vocabulary.save(os.path.join(dir_path, VOCABULARY_ASSET))

    def load_assets(self, dir_path):
        path = os.path.join(dir_path, VOCABULARY_ASSET)
        if os.path.exists(path):
            self.set_vocabulary(Vocabulary.from_file(path))

    def get_config(self):
        config = super().get_config()
        config.update(
            max_length=self.max_length,
            lowercase=self.lowercase,
            split_punctuation=self.split_punctuation,
        )
        return config

    # ---------------------------------------------------------- tokenising
    def words(self, texts):
        """The words of `texts` after the rules, before the max_length cut:
        ragged string [B, None] (1-D for a scalar string)."""
        texts = _as_string_tensor(texts)
        if self.lowercase:
            texts = tf.strings.lower(texts, encoding="utf-8")
        if self.split_punctuation:
            texts = tf.strings.regex_replace(texts, _PUNCTUATION, r" \1 ")
        # Only ASCII spaces are left, which `tf.strings.split` splits on.
        return tf.strings.split(tf.strings.regex_replace(texts, _WHITESPACE_RUN, " "))

    def call(self, texts):
        self._require_vocabulary()
        words = self.words(texts)
        if self.max_length is not None:
            words = words[..., : self.max_length]
        if isinstance(words, tf.RaggedTensor):
            ids = tf.ragged.map_flat_values(self._table.lookup, words)
            edge = tf.ones([ids.nrows(), 1], tf.int32)
            return tf.concat([edge * BOS_ID, ids, edge * EOS_ID], axis=1)
        ids = self._table.lookup(words)
        return tf.concat([[BOS_ID], ids, [EOS_ID]], axis=0)

    def dense(self, texts):
        """int32 ids [B, T] padded with `<pad>` (0); 1-D for a scalar string."""
        ids = self(texts)
        return ids.to_tensor(PAD_ID) if isinstance(ids, tf.RaggedTensor) else ids

    def detokenize(self, ids):
        """Ids -> text with `Vocabulary.decode` (<s> and <pad> skipped, </s>
        ends a sequence): a list of str for a batch [B, T] (ragged, padded or
        nested lists), one str for a single 1-D sequence."""
        vocabulary = self._require_vocabulary()
        if isinstance(ids, tf.RaggedTensor):
            return [vocabulary.decode(row) for row in ids.to_list()]
        if tf.is_tensor(ids):
            ids = ids.numpy()
        if isinstance(ids, np.ndarray):
            if ids.ndim not in (1, 2):
                raise ValueError(f"ids must be 1-D or 2-D, got shape {ids.shape}")
            return (
                vocabulary.decode(ids)
                if ids.ndim == 1
                else list(map(vocabulary.decode, ids))
            )
        ids = list(ids)
        if all(np.isscalar(i) for i in ids):
            return vocabulary.decode(ids)
        return [vocabulary.decode(row) for row in ids]


def _as_vocabulary(vocabulary):
    if isinstance(vocabulary, Vocabulary):
        return vocabulary
    if isinstance(vocabulary, (str, os.PathLike)):
        return Vocabulary.from_file(vocabulary)
    if isinstance(vocabulary, bytes) or not hasattr(vocabulary, "__iter__"):
        raise TypeError(
            "vocabulary must be a Vocabulary, a list of tokens or a file path, "
            f"got {type(vocabulary).__name__}"
        )
    tokens = [t.decode("utf-8") if isinstance(t, bytes) else t for t in vocabulary]
    if not all(isinstance(t, str) for t in tokens):
        raise TypeError("vocabulary tokens must be strings")
    result = Vocabulary(tokens)
    if result.tokens != tokens:
        raise ValueError(
            f"a token list must start with {' '.join(SPECIAL_TOKENS)} (ids 0-3) "
            f"and not repeat them, so that list index = id; got {tokens[:6]!r}..."
        )
    return result


def _as_string_tensor(texts):
    """str / bytes / list / numpy array / tf string tensor -> tf string tensor
    of rank 0 or 1."""
    if isinstance(texts, tf.RaggedTensor) or not tf.is_tensor(texts):
        if isinstance(texts, tf.RaggedTensor):
            raise ValueError("texts must be a scalar or 1-D string tensor")
        try:
            texts = tf.convert_to_tensor(texts, tf.string)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"texts must be strings (str, bytes, lists or arrays of them, "
                f"or a tf.string tensor), got {type(texts).__name__}: {error}"
            ) from error
    if texts.dtype != tf.string:
        raise TypeError(f"texts must be a tf.string tensor, got {texts.dtype.name}")
    if texts.shape.rank not in (0, 1):
        raise ValueError(
            f"texts must be a scalar or 1-D string tensor, got shape {texts.shape}"
        )
    return texts
