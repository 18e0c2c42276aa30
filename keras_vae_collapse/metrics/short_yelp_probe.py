"""The short-Yelp representation-learning protocol (Scale-VAE Table 4)."""

from keras_vae_collapse import datasets, metrics
from keras_vae_collapse.datasets.kvc_short_yelp import TRAIN_SUBSETS


def short_yelp_splits(short_yelp_dir, cache_dir=None):
    """{split: (texts, labels)} of short-Yelp: `train_<n>`, `validation`,
    `test`."""
    builder = datasets.builder("short_yelp", short_yelp_dir, cache_dir)

    def split(name):
        items = list(builder.as_dataset(split=name).as_numpy_iterator())
        return [e["text"].decode() for e in items], [int(e["label"]) for e in items]

    names = [f"train_{n}" for n in TRAIN_SUBSETS] + ["validation", "test"]
    return {name: split(name) for name in names}


def short_yelp_probe(
    model_or_encode, short_yelp_dir, cache_dir=None, sizes=TRAIN_SUBSETS, seed=0
):
    """{labelled examples: `metrics.probe` result} of linear classifiers on
    features of short-Yelp's 100 / 500 / 1k / 2k / 10k labelled sentences,
    tested on its 10,000 test sentences, each with its L2 penalty chosen on
    the 10,000 validation sentences (never the test).

    Args:
        model_or_encode: a text model with a tokenizer (features: its
            posterior means, `encode(texts)[0]`), or any texts -> features
            function (e.g. a fitted `metrics.TfidfFeatures`).
    """
    if hasattr(model_or_encode, "encode"):
        if model_or_encode.tokenizer is None:
            raise ValueError("the model needs a tokenizer: model.set_vocabulary(...)")

        def encode(texts):
            return model_or_encode.encode(texts)[0]

    else:
        encode = model_or_encode
    splits = short_yelp_splits(short_yelp_dir, cache_dir)
    return metrics.representation_accuracies(
        encode,
        {n: splits[f"train_{n}"] for n in sizes},
        *splits["test"],
        validation=splits["validation"],
        seed=seed,
    )
