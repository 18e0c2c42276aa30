"""The representation-learning table (Scale-VAE Table 4 protocol, short-Yelp).

Each row is a source of features for short-Yelp's sentences, scored by
`metrics.short_yelp_probe` (a linear probe per labelled-subset size, its L2
penalty chosen on the validation split, accuracy on the 10,000 test
sentences):
- a trained model (a run folder, a preset folder, a `.keras` file or a zoo
  name): its posterior means;
- `tfidf`: unigram and bigram tf-idf, its vocabulary and idf from the
  yelp_sentiment training sentences (the text the VAEs train on, no labels);
- `random-encoder`: the yelp_sentiment `cpu` config's LSTM encoder at its
  random initialisation (seed 0), with the yelp_sentiment vocabulary.
"""

import os
import time

from keras_vae_collapse.datasets.kvc_short_yelp import TRAIN_SUBSETS

#: The rows that are not trained models.
BASELINES = ("tfidf", "random-encoder")


def _texts(data_root, cache_dir, dataset="yelp_sentiment", split="train"):
    from keras_vae_collapse import datasets

    builder = datasets.builder(dataset, os.path.join(data_root, dataset), cache_dir)
    return datasets.split_examples(builder, split)


def features(source, data_root, cache_dir=None, seed=0):
    """A texts -> features function for `source` (see the module docstring)."""
    from keras_vae_collapse import metrics, training
    from keras_vae_collapse.cli.common import load_model
    from keras_vae_collapse.configs import get_config

    if source == "tfidf":
        return metrics.TfidfFeatures().fit(_texts(data_root, cache_dir))
    if source == "random-encoder":
        config = get_config("yelp_sentiment", "cpu")
        data = training.load_data(
            "yelp_sentiment",
            os.path.join(data_root, "yelp_sentiment"),
            config,
            cache_dir,
            seed,
        )
        model = training.build_model("vae", config, data, 1, seed=seed)
    else:
        model, _, _ = load_model(source)

    def encode(texts):
        return model.encode(texts)[0]

    return encode


def probe_row(source, data_root, cache_dir=None, seed=0, log=print):
    """{"source", "accuracy": {size: test accuracy}, "l2": {size: chosen},
    "validation_accuracy": {...}, "seconds"}."""
    from keras_vae_collapse import metrics

    start = time.perf_counter()
    encode = features(source, data_root, cache_dir, seed)
    result = metrics.short_yelp_probe(
        encode, os.path.join(data_root, "short_yelp"), cache_dir, seed=seed
    )
    row = {
        "source": source,
        **{
            key: {size: r[key] for size, r in result.items()}
            for key in ("accuracy", "l2", "validation_accuracy")
        },
        "seconds": time.perf_counter() - start,
    }
    log(f"[kvc] {source}: {format_row(row)}")
    return row


def format_row(row):
    return " | ".join(f"{100 * row['accuracy'][n]:.1f}" for n in TRAIN_SUBSETS)


def format_table(rows):
    sizes = " | ".join(f"{n:,}" for n in TRAIN_SUBSETS)
    lines = [f"| features | {sizes} |", "|---" * (len(TRAIN_SUBSETS) + 1) + "|"]
    lines += [f"| {r['source']} | {format_row(r)} |" for r in rows]
    return "\n".join(lines)
