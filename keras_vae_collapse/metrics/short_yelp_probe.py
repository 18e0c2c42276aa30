"""The short-Yelp representation-learning protocol (Scale-VAE Table 4)."""

from keras_vae_collapse import datasets, metrics
from keras_vae_collapse.datasets.kvc_short_yelp import TRAIN_SUBSETS


def short_yelp_probe(
    model, short_yelp_dir, cache_dir=None, sizes=TRAIN_SUBSETS, seed=0
):
    """{labelled examples: test accuracy} of linear classifiers on the
    posterior means of `model` (a text model with a vocabulary, e.g. trained
    on `yelp_sentiment`), trained on short-Yelp's 100 / 500 / 1k / 2k / 10k
    labelled sentences and tested on its 10,000 test sentences."""
    if model.tokenizer is None:
        raise ValueError("the model needs a tokenizer: model.set_vocabulary(...)")
    builder = datasets.builder("short_yelp", short_yelp_dir, cache_dir)

    def split(name):
        items = list(builder.as_dataset(split=name).as_numpy_iterator())
        return [e["text"].decode() for e in items], [int(e["label"]) for e in items]

    test_texts, test_labels = split("test")
    return metrics.representation_accuracies(
        lambda texts: model.encode(texts)[0],
        {n: split(f"train_{n}") for n in sizes},
        test_texts,
        test_labels,
        seed=seed,
    )
