"""TextTokenizer: the tokenisation rules, str.split parity, the vocabulary as a
`.keras` asset (fresh process) and SavedModel parity."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vae_collapse.datasets.vocabulary import Vocabulary
from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
TOKENS = ["the", "food", "was", "great", "!", ",", "école", "good", "GOOD", "'"]
# Every code point but the surrogates, each after an "a": a whitespace code
# point splits, any other one does not.
ALL_CODE_POINTS = "".join(
    "a" + chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF
)
HOSTILE = [
    "",
    "   ",
    "the food was great",
    "  the\tfood\nwas\r\ngreat  ",
    "the\u00a0food\u3000was\u2009great\u202f!",
    "the\x1cfood\x1dwas\x1ex\x1fy\x85z\u2028w\u2029v\x0bu\x0ct",
    "zero\u200bwidth\ufeffjoins",  # U+200B, U+FEFF are not whitespace
    "MiXeD CaSe École GOOD good",
    "great!don't «quoted» ¿qué? a-b $5 +1 (x)",
    "\u3000\u00a0 ",
]


def vocab():
    return Vocabulary(TOKENS)


def as_words(ragged):
    return [[w.decode("utf-8") for w in row] for row in ragged.to_list()]


def expected_ids(v, words, max_length=None):
    words = words if max_length is None else words[:max_length]
    return [2] + [v.token_id(w) for w in words] + [3]


# ------------------------------------------------------------------ the rules
def test_words_match_str_split_with_options_off():
    tok = TextTokenizer(vocab())
    texts = HOSTILE + [ALL_CODE_POINTS]
    assert as_words(tok.words(texts)) == [t.split() for t in texts]
    ids = tok(texts).to_list()
    v = vocab()
    assert ids == [expected_ids(v, t.split()) for t in texts]
    assert ids == [v.encode(t) for t in texts]


def test_lowercase_on_and_off():
    text = "MiXeD École GOOD good ΣΑΣ"
    assert as_words(TextTokenizer(vocab()).words([text])) == [text.split()]
    lower = TextTokenizer(vocab(), lowercase=True)
    assert as_words(lower.words([text])) == [text.lower().split()]
    assert lower([text]).to_list() == [[2, 1, 10, 11, 11, 1, 3]]
    assert TextTokenizer(vocab())([text]).to_list() == [[2, 1, 1, 12, 11, 1, 3]]


def test_split_punctuation_on_and_off():
    text = "great!don't «x» ¿qué? a-b $5 +1 (y),"
    off = TextTokenizer(vocab()).words(text).numpy().tolist()
    assert [w.decode() for w in off] == text.split()
    on = TextTokenizer(vocab(), split_punctuation=True).words(text).numpy()
    assert [w.decode() for w in on] == (
        "great ! don ' t « x » ¿ qué ? a - b $5 +1 ( y ) ,".split()
    )
    tok = TextTokenizer(vocab(), split_punctuation=True)
    assert tok("the food, great!").numpy().tolist() == [2, 4, 5, 9, 7, 8, 3]
    both = TextTokenizer(vocab(), lowercase=True, split_punctuation=True)
    assert both("GOOD!").numpy().tolist() == [2, 11, 8, 3]


def test_max_length_cuts_words_after_the_rules():
    v = vocab()
    texts = ["the food was great", "the", "", "a,b,c"]
    tok = TextTokenizer(v, max_length=2)
    assert tok(texts).to_list() == [
        expected_ids(v, t.split(), 2) for t in texts[:3]
    ] + [[2, 1, 3]]
    assert tok(texts).to_list() == [v.encode(t, max_length=2) for t in texts[:3]] + [
        [2, 1, 3]
    ]
    punct = TextTokenizer(v, max_length=2, split_punctuation=True)
    assert punct("great!!!").numpy().tolist() == [2, 7, 8, 3]
    assert TextTokenizer(v, max_length=1)("a b c").numpy().tolist() == [2, 1, 3]


def test_unknown_words_empty_strings_and_dense():
    tok = TextTokenizer(vocab())
    assert tok(["zzz the qqq", "", "   "]).to_list() == [
        [2, 1, 4, 1, 3],
        [2, 3],
        [2, 3],
    ]
    assert tok("").numpy().tolist() == [2, 3]
    # Special tokens in the text keep their ids, as in Vocabulary.encode.
    assert tok("<s> <pad> the </s>").numpy().tolist() == [2, 2, 0, 4, 3, 3]
    assert vocab().encode("<s> <pad> the </s>") == [2, 2, 0, 4, 3, 3]
    dense = tok.dense(["the food", ""])
    assert dense.dtype == tf.int32
    np.testing.assert_array_equal(dense, [[2, 4, 5, 3], [2, 3, 0, 0]])
    assert tok.dense("the").numpy().tolist() == [2, 4, 3]
    assert tok([]).to_list() == []


def test_input_kinds_tf_function_and_tf_data():
    tok = TextTokenizer(vocab(), lowercase=True)
    want = [[2, 4, 5, 3], [2, 10, 3]]
    texts = ["The food", "ÉCOLE"]
    for given in (
        texts,
        [t.encode("utf-8") for t in texts],
        np.array(texts),
        np.array(texts, dtype=object),
        tf.constant(texts),
    ):
        ids = tok(given)
        assert isinstance(ids, tf.RaggedTensor) and ids.dtype == tf.int32
        assert ids.to_list() == want
    assert tok("The food").numpy().tolist() == want[0]
    fn = tf.function(lambda x: tok.dense(x))
    np.testing.assert_array_equal(fn(tf.constant(texts)), [[2, 4, 5, 3], [2, 10, 3, 0]])
    ds = tf.data.Dataset.from_tensor_slices(texts).map(tok)
    assert [x.tolist() for x in ds.as_numpy_iterator()] == want
    batched = tf.data.Dataset.from_tensor_slices(texts).batch(2).map(tok.dense)
    np.testing.assert_array_equal(next(iter(batched)), [[2, 4, 5, 3], [2, 10, 3, 0]])


def test_detokenize_and_vocabulary_properties():
    v = vocab()
    tok = TextTokenizer(v)
    assert tok.vocabulary == v and tok.vocabulary_size == len(v) == 14
    ids = tok(["the food zzz", ""])
    assert tok.detokenize(ids) == ["the food <unk>", ""]
    assert tok.detokenize(tok.dense(["the food", "was"])) == ["the food", "was"]
    assert tok.detokenize(tok("great !")) == "great !"
    assert tok.detokenize([[2, 4, 3, 5], [2, 6]]) == ["the", "was"]


# ------------------------------------------------------------ the vocabulary
def test_vocabulary_kinds_and_assets(tmp_path):
    v = vocab()
    path = str(tmp_path / "vocab.txt")
    v.save(path)
    for given in (v, v.tokens, tuple(v.tokens), path):
        assert TextTokenizer(given).vocabulary == v
    later = TextTokenizer(max_length=3)
    assert later.vocabulary is None
    later.set_vocabulary(v)
    assert later("the food").numpy().tolist() == [2, 4, 5, 3]
    later.set_vocabulary(["<pad>", "<unk>", "<s>", "</s>", "food"])
    assert later("the food").numpy().tolist() == [2, 1, 4, 3]

    tok = TextTokenizer(v, max_length=7, lowercase=True, split_punctuation=True)
    config = tok.get_config()
    assert "vocabulary" not in config
    assert (config["max_length"], config["lowercase"], config["split_punctuation"]) == (
        7,
        True,
        True,
    )
    tok.save_assets(str(tmp_path))
    with open(tmp_path / "vocabulary.txt", encoding="utf-8") as handle:
        assert handle.read().split("\n")[:-1] == v.tokens
    clone = TextTokenizer.from_config(config)
    assert clone.vocabulary is None
    clone.load_assets(str(tmp_path))
    text = ["The FOOD, was école!!", ""]
    assert clone(text).to_list() == tok(text).to_list()
    empty = tmp_path / "empty"
    empty.mkdir()
    TextTokenizer().save_assets(str(empty))  # nothing to save
    assert not os.listdir(empty)


def test_bad_arguments_give_clear_errors():
    for bad in (0, -1, 2.5, "3", True):
        with pytest.raises(ValueError, match="max_length must be None or an integer"):
            TextTokenizer(vocab(), max_length=bad)
    with pytest.raises(ValueError, match="must start with <pad> <unk> <s> </s>"):
        TextTokenizer(["the", "food"])
    with pytest.raises(ValueError, match="must start with"):
        TextTokenizer(["<unk>", "<pad>", "<s>", "</s>", "the"])
    with pytest.raises(ValueError, match="must start with"):
        TextTokenizer(["<pad>", "<unk>", "<s>", "</s>", "a", "<s>"])
    with pytest.raises(ValueError, match="duplicate token"):
        TextTokenizer(["<pad>", "<unk>", "<s>", "</s>", "a", "a"])
    with pytest.raises(ValueError, match="invalid token"):
        TextTokenizer(["<pad>", "<unk>", "<s>", "</s>", "a b"])
    with pytest.raises(TypeError, match="vocabulary must be"):
        TextTokenizer(42)
    unset = TextTokenizer()
    for use in (unset, unset.dense, unset.detokenize):
        with pytest.raises(ValueError, match="has no vocabulary"):
            use(["a"])
    with pytest.raises(ValueError, match="has no vocabulary"):
        unset.vocabulary_size  # noqa: B018
    tok = TextTokenizer(vocab())
    with pytest.raises(TypeError, match="texts must be"):
        tok([1, 2])
    with pytest.raises(TypeError, match="texts must be a tf.string tensor"):
        tok(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="scalar or 1-D"):
        tok([["a"], ["b"]])


# ------------------------------------------------ .keras in a fresh process
MODEL_SRC = """
import keras
from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

@keras.saving.register_keras_serializable(package="kvc_test")
class TinyTextModel(keras.Model):
    def __init__(self, tokenizer=None, vocab_size=2, **kwargs):
        super().__init__(**kwargs)
        self.tokenizer = tokenizer if tokenizer is not None else TextTokenizer()
        self.vocab_size = vocab_size
        self.embedding = keras.layers.Embedding(vocab_size, 3)

    def build(self, input_shape=None):
        self.embedding.build((None, None))

    def call(self, texts):
        return self.embedding(self.tokenizer.dense(texts))

    def get_config(self):
        return {
            **super().get_config(),
            "tokenizer": keras.saving.serialize_keras_object(self.tokenizer),
            "vocab_size": self.vocab_size,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["tokenizer"] = keras.saving.deserialize_keras_object(
            config["tokenizer"]
        )
        return cls(**config)
"""

FRESH = (
    MODEL_SRC
    + """
import json, sys
import tensorflow as tf
model = keras.saving.load_model(sys.argv[1])
texts = json.loads(sys.argv[2])
print(json.dumps({
    "ids": model.tokenizer(texts).to_list(),
    "out": model(tf.constant(texts)).numpy().tolist(),
    "tokens": model.tokenizer.vocabulary.tokens,
    "config": model.tokenizer.get_config(),
}))
"""
)


def test_keras_file_round_trip_in_a_fresh_process(tmp_path):
    namespace = {}
    exec(MODEL_SRC, namespace)  # the same source as the child process
    v = vocab()
    tok = TextTokenizer(v, max_length=6, lowercase=True, split_punctuation=True)
    model = namespace["TinyTextModel"](tok, vocab_size=len(v))
    texts = [
        "The food, was GREAT!",
        "",
        "école\u00a0good\u3000zzz",
        "the " * 20,
    ]
    out = model(tf.constant(texts)).numpy()
    path = str(tmp_path / "tiny.keras")
    model.save(path)
    assert not [p for p in os.listdir(tmp_path) if p != "tiny.keras"]  # no side file
    done = subprocess.run(
        [sys.executable, "-c", FRESH, path, json.dumps(texts)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["tokens"] == v.tokens
    assert got["ids"] == tok(texts).to_list()
    np.testing.assert_allclose(got["out"], out, rtol=1e-6)
    assert {k: got["config"][k] for k in ("max_length", "lowercase")} == {
        "max_length": 6,
        "lowercase": True,
    }
    assert got["config"]["split_punctuation"] is True


# --------------------------------------------------------- SavedModel parity
def test_saved_model_gives_the_eager_ids(tmp_path):
    v = vocab()
    full = TextTokenizer(v, lowercase=True, split_punctuation=True)
    cut = TextTokenizer(v, max_length=5)
    archive = keras.export.ExportArchive()
    archive.track(full)
    archive.track(cut)

    def endpoint(tok):
        def serve(texts):
            ids = tok(texts)
            return {"ids": ids.to_tensor(0), "lengths": ids.row_lengths()}

        return serve

    signature = [tf.TensorSpec([None], tf.string)]
    archive.add_endpoint("serve", endpoint(full), input_signature=signature)
    archive.add_endpoint("serve_cut", endpoint(cut), input_signature=signature)
    archive.write_out(str(tmp_path / "export"), verbose=False)
    del archive

    reloaded = tf.saved_model.load(str(tmp_path / "export"))
    texts = HOSTILE + [
        "The FOOD Was GREAT!!! école, ÉCOLE.",
        " ".join(["the", "Food", "zzz", "great!"] * 250),  # 1,000 words
    ]
    for name, tok in (("serve", full), ("serve_cut", cut)):
        got = getattr(reloaded, name)(tf.constant(texts))
        ids = tf.RaggedTensor.from_tensor(got["ids"], lengths=got["lengths"])
        assert ids.to_list() == tok(texts).to_list(), name
    assert len(full(texts[-1:]).to_list()[0]) == 1252
