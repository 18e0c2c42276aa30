"""Bad input, table-driven: every case ends in a clear error whose message
names the problem, or in a defined output. Add a row whenever a bug is
found. Classes: model data, edge shapes, tokenizer, method specs, configs,
evaluation."""

import keras
import numpy as np
import pytest

import keras_vae_collapse as kvc
from keras_vae_collapse.configs import get_config
from keras_vae_collapse.models import registry

TEXTS = ["the food was great", "bad service", "ok"] * 4


@pytest.fixture(scope="module")
def text_model():
    tokenizer = kvc.layers.TextTokenizer(kvc.datasets.Vocabulary.build(TEXTS))
    v = tokenizer.vocabulary_size
    keras.utils.set_random_seed(0)
    model = registry.build(
        "vae",
        kvc.networks.TextLSTMEncoder(v, 2, 8, 8),
        kvc.networks.TextLSTMDecoder(v, 2, 8, 8),
        kvc.likelihoods.TokenCategorical(v),
        2,
        tokenizer=tokenizer,
    )
    model.compile(optimizer="adam")
    model.encode(TEXTS[:2])  # built
    return model


@pytest.fixture(scope="module")
def image_model():
    model = kvc.models.VAE(
        kvc.networks.MLPEncoder(2),
        kvc.networks.MLPDecoder((4,)),
        kvc.likelihoods.Bernoulli((4,)),
        2,
    )
    model.compile(optimizer="adam")
    return model


def ids(*rows):
    return np.array(rows, np.int32)


def error(kind, pattern):
    return ("error", kind, pattern)


def output(check):
    return ("output", check)


def shape(*expected):
    def check(result):
        got = [r.shape for r in result] if isinstance(result, tuple) else result.shape
        assert got == (list(expected) if isinstance(result, tuple) else expected[0])

    return check


#: (class, case, function of (text model, image model), expectation)
CASES = [
    # model data
    (
        "data",
        "strings without a tokenizer",
        lambda t, i: i.encode(["x"]),
        error(TypeError, "raw strings need a tokenizer"),
    ),
    (
        "data",
        "token id out of range",
        lambda t, i: t.encode(ids([2, 9999, 3])),
        error(ValueError, "outside the vocabulary"),
    ),
    (
        "data",
        "negative token id",
        lambda t, i: t.encode(ids([2, -4, 3])),
        error(ValueError, "outside the vocabulary"),
    ),
    (
        "data",
        "float token ids",
        lambda t, i: t.encode(np.ones((2, 3), np.float32)),
        error(TypeError, "integer token ids"),
    ),
    ("data", "None", lambda t, i: t.encode(None), error(TypeError, "numeric data")),
    (
        "data",
        "list of ints",
        lambda t, i: t.encode([1, 2, 3]),
        error(TypeError, "one tensor"),
    ),
    (
        "data",
        "NaN pixels",
        lambda t, i: i.encode(np.full((2, 4), np.nan, "float32")),
        error(ValueError, "NaN"),
    ),
    (
        "data",
        "pixels outside [0, 1]",
        lambda t, i: i.encode(np.full((2, 4), 3.0, "float32")),
        error(ValueError, ""),
    ),
    (
        "data",
        "fit on NaN",
        lambda t, i: i.fit(np.full((4, 4), np.nan, "float32"), verbose=0),
        error(ValueError, "NaN"),
    ),
    (
        "data",
        "batch_size 0",
        lambda t, i: t.encode(TEXTS, batch_size=0),
        error(ValueError, "batch_size"),
    ),
    (
        "data",
        "num_samples 0",
        lambda t, i: t.log_prob_iw(TEXTS, num_samples=0),
        error(ValueError, "num_samples"),
    ),
    # edge shapes
    ("shape", "empty list", lambda t, i: t.encode([]), output(shape((0, 2), (0, 2)))),
    (
        "shape",
        "empty array",
        lambda t, i: t.encode(np.zeros((0, 5), np.int32)),
        output(shape((0, 2), (0, 2))),
    ),
    ("shape", "empty elbo", lambda t, i: t.elbo([]), output(shape((0,)))),
    ("shape", "empty IW-NLL", lambda t, i: t.log_prob_iw([]), output(shape((0,)))),
    (
        "shape",
        "empty image batch",
        lambda t, i: i.encode(np.zeros((0, 4), "float32")),
        output(shape((0, 2), (0, 2))),
    ),
    (
        "shape",
        "empty string",
        lambda t, i: t.encode([""]),
        output(shape((1, 2), (1, 2))),
    ),
    (
        "shape",
        "<s>-only sequence",
        lambda t, i: t.encode(ids([2], [2])),
        error(ValueError, "length >= 2"),
    ),
    (
        "shape",
        "zero-length sequences",
        lambda t, i: t.encode(np.zeros((2, 0), np.int32)),
        error(ValueError, "length >= 2"),
    ),
    (
        "shape",
        "rank-1 ids",
        lambda t, i: t.encode(np.array([2, 5, 3], np.int32)),
        error(ValueError, "rank 2"),
    ),
    (
        "shape",
        "rank-3 ids",
        lambda t, i: t.encode(np.full((2, 3, 4), 2, np.int32)),
        error(ValueError, "rank 2"),
    ),
    (
        "shape",
        "fit on rank-1 data",
        lambda t, i: t.fit(np.array([2, 5, 3], np.int32), verbose=0),
        error(ValueError, "rank 2"),
    ),
    (
        "shape",
        "fit on no data",
        lambda t, i: t.fit(np.zeros((0, 5), np.int32), verbose=0),
        error(ValueError, "no training examples"),
    ),
    (
        "shape",
        "sample(0)",
        lambda t, i: t.sample(0, max_length=5),
        output(shape((0, 5))),
    ),
    ("shape", "sample(0) of images", lambda t, i: i.sample(0), output(shape((0, 4)))),
    (
        "shape",
        "sample(-1)",
        lambda t, i: t.sample(-1),
        error(ValueError, "num_samples"),
    ),
    (
        "shape",
        "sample with max_length 0",
        lambda t, i: t.sample(2, max_length=0),
        error(ValueError, "max_length"),
    ),
    # tokenizer
    (
        "tokenizer",
        "max_length 0",
        lambda t, i: kvc.layers.TextTokenizer(t.vocabulary, 0),
        error(ValueError, "max_length"),
    ),
    (
        "tokenizer",
        "negative max_length",
        lambda t, i: kvc.layers.TextTokenizer(t.vocabulary, -1),
        error(ValueError, "max_length"),
    ),
    (
        "tokenizer",
        "no vocabulary",
        lambda t, i: kvc.layers.TextTokenizer()(["x"]),
        error(ValueError, "no vocabulary"),
    ),
    (
        "tokenizer",
        "a vocabulary of another size",
        lambda t, i: t.set_vocabulary(["<pad>", "<unk>", "<s>", "</s>", "a"]),
        error(ValueError, "vocabulary has 5 tokens"),
    ),
    (
        "tokenizer",
        "mixed case is one rule away",
        lambda t, i: kvc.layers.TextTokenizer(t.vocabulary, lowercase=True)("The FOOD"),
        output(lambda r: np.testing.assert_array_equal(r.numpy(), [2, 9, 5, 3])),
    ),
    # method specs
    (
        "method",
        "unknown method",
        lambda t, i: registry.parse("magic"),
        error(ValueError, "unknown method 'magic'; known: vae"),
    ),
    (
        "method",
        "unknown hyperparameter",
        lambda t, i: registry.parse("bn-vae(delta=1)"),
        error(ValueError, "no hyperparameter delta; known: gamma"),
    ),
    (
        "method",
        "wrong type",
        lambda t, i: registry.parse("bn-vae(gamma='big')"),
        error(ValueError, "gamma must be of the type"),
    ),
    (
        "method",
        "per-modality default: None or an integer",
        lambda t, i: registry.parse("agg-vae(check_every='often')"),
        error(ValueError, "check_every must be None or an integer"),
    ),
    (
        "method",
        "per-modality default takes either type",
        lambda t, i: [
            registry.parse(f"agg-vae(check_every={v})").resolved("text")
            for v in ("None", "100")
        ],
        output(
            lambda r: [x["check_every"] for x in r] == [None, 100] or pytest.fail(r)
        ),
    ),
    (
        "method",
        "two positional values",
        lambda t, i: registry.parse("bn-vae(0.6, 1)"),
        error(ValueError, "one positional value"),
    ),
    (
        "method",
        "bad literal",
        lambda t, i: registry.parse("bn-vae(gamma=)"),
        error(ValueError, "cannot parse"),
    ),
    (
        "method",
        "unknown suffix",
        lambda t, i: registry.parse("vae+cyclic"),
        error(ValueError, "unknown suffix"),
    ),
    (
        "method",
        "unknown KL schedule",
        lambda t, i: registry.parse("vae", kl_schedule="x"),
        error(ValueError, "kl_schedule must be one of"),
    ),
    (
        "method",
        "old spelling still works",
        lambda t, i: registry.parse("bn-vae(0.7)").name,
        output(lambda r: r == "bn-vae(gamma=0.7)" or pytest.fail(r)),
    ),
    (
        "method",
        "value out of range",
        lambda t, i: registry.check("bn-vae(gamma=-1.0)"),
        error(ValueError, "gamma must be > 0"),
    ),
    (
        "method",
        "dropout rate out of range",
        lambda t, i: registry.check("du-vae(p_drop=1.5)"),
        error(ValueError, r"p_drop must be in \[0, 1\)"),
    ),
    (
        "method",
        "chunks that do not divide",
        lambda t, i: registry.check("libi(num_prior_samples=10, chunk_size=3)"),
        error(ValueError, "multiple of chunk_size"),
    ),
    # configs (what --set reaches)
    (
        "config",
        "unknown optimizer",
        lambda t, i: get_config("ptb", optimizer="rmsprop"),
        error(ValueError, "optimizer must be one of"),
    ),
    (
        "config",
        "max_length 0",
        lambda t, i: get_config("ptb", max_length=0),
        error(ValueError, "max_length must be >= 1"),
    ),
    (
        "config",
        "fractional epochs",
        lambda t, i: get_config("ptb", epochs=2.5),
        error(ValueError, "epochs must be an integer"),
    ),
    (
        "config",
        "boolean batch size",
        lambda t, i: get_config("ptb", batch_size=True),
        error(ValueError, "batch_size must be an integer"),
    ),
    (
        "config",
        "unknown key",
        lambda t, i: get_config("ptb", hidden=3),
        error(ValueError, "unknown config keys"),
    ),
    (
        "config",
        "bad schedule field",
        lambda t, i: get_config(
            "ptb", schedule=dict(get_config("ptb")["schedule"], decay=2.0)
        ),
        error(ValueError, "schedule.decay must be < 1"),
    ),
    (
        "config",
        "unknown dataset",
        lambda t, i: get_config("mnist"),
        error(ValueError, "no config for dataset 'mnist'"),
    ),
    # evaluation
    (
        "evaluation",
        "unknown dataset",
        lambda t, i: kvc.evaluation.evaluation_batches("text_missing", None),
        error(ValueError, "unknown dataset"),
    ),
    (
        "evaluation",
        "collapse metrics of arrays need the batch size",
        lambda t, i: kvc.metrics.collapse_statistics(t, ids([2, 4, 3])),
        error(ValueError, "needs batch_size"),
    ),
    (
        "evaluation",
        "empty evaluation data",
        lambda t, i: kvc.metrics.collapse_statistics(
            t, np.zeros((0, 5), np.int32), batch_size=4
        ),
        error(ValueError, "empty"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_input(case, text_model, image_model):
    _, _, function, expected = case
    if expected[0] == "error":
        with pytest.raises(expected[1], match=expected[2]):
            function(text_model, image_model)
    else:
        expected[1](function(text_model, image_model))


def test_the_table_covers_every_class():
    classes = {c[0] for c in CASES}
    assert classes == {"data", "shape", "tokenizer", "method", "config", "evaluation"}
