"""Evaluating a trained model on a dataset split (behind scripts/evaluate.py)."""

import json
import os

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_vae_collapse import datasets, metrics
from keras_vae_collapse.presets import get_preset


def split_examples(dataset, data_dir, split, cache_dir=None):
    """All examples of a split as a list of strings (text), an array of
    images, or an array of ids (synthetic)."""
    prepared = datasets.builder(dataset, data_dir, cache_dir)
    ds = prepared.as_dataset(
        split=split, read_config=tfds.ReadConfig(try_autocache=False)
    )
    key = {"synthetic": "ids", "omniglot": "image"}.get(dataset, "text")
    values = [e[key] for e in ds.as_numpy_iterator()]
    if key == "text":
        return [v.decode("utf-8") for v in values], prepared
    return np.stack(values), prepared


def evaluation_batches(
    dataset,
    data_dir,
    split="test",
    preset=None,
    eval_examples=None,
    seed=0,
    cache_dir=None,
    vocabulary=None,
):
    """(batched tf.data.Dataset, info) of a split or of a fixed, seeded random
    subset of `eval_examples` of its examples. `info` says which were used."""
    preset = preset or get_preset(dataset)
    examples, prepared = split_examples(dataset, data_dir, split, cache_dir)
    total = len(examples)
    info = {"split": split, "split_examples": total, "subset_seed": None}
    if eval_examples is not None and eval_examples < total:
        index = np.sort(np.random.default_rng(seed).permutation(total)[:eval_examples])
        examples = (
            [examples[i] for i in index]
            if isinstance(examples, list)
            else examples[index]
        )
        info["subset_seed"] = seed
    info["num_examples"] = len(examples)
    batch = preset["batch_size"]
    if isinstance(examples, list):
        vocabulary = vocabulary or prepared.vocabulary()
        ds = datasets.text_batches(
            tf.data.Dataset.from_tensor_slices(examples),
            vocabulary,
            batch,
            max_length=preset["max_length"],
        )
        info["max_length"] = preset["max_length"]
    else:
        ds = tf.data.Dataset.from_tensor_slices(examples).batch(batch)
    return ds, info


def evaluate(model, data, num_samples=500, seed=0, aggregate_kl=False, verbose=0):
    """IW-NLL (and perplexity for text), KL, MI (He et al.'s batch estimator),
    AU and optionally the aggregate-posterior KL of `model` on batched data."""
    nll = metrics.iw_nll(
        model, data, num_samples=num_samples, seed=seed, verbose=verbose
    )
    stats = metrics.collapse_statistics(
        model, data, estimator="batch", aggregate_kl=aggregate_kl, seed=seed
    )
    result = {
        "iw_nll": nll["nll"],
        "num_samples": nll["num_samples"],
        "kl": stats["kl"],
        "mi": stats["mi"],
        "mi_estimator": stats["mi_estimator"],
        "au": stats["au"],
        "num_examples": nll["num_examples"],
        "seed": seed,
    }
    if "perplexity" in nll:
        result["perplexity"] = nll["perplexity"]
        result["num_tokens"] = nll["num_tokens"]
    if aggregate_kl:
        result["aggregate_kl"] = stats["aggregate_kl"]
    return result


def format_result(result):
    """The result as a two-column table."""
    keys = ["iw_nll", "perplexity", "kl", "mi", "au", "aggregate_kl"]
    lines = ["", f"{'metric':<14}{'value':>12}", "-" * 26]
    for key in keys:
        if key in result:
            value = result[key]
            text = f"{value:>12d}" if isinstance(value, int) else f"{value:>12.3f}"
            lines.append(f"{key:<14}{text}")
    used = (
        f"{result['num_examples']} of {result['split_examples']} {result['split']} "
        f"examples"
        + (
            f" (seeded subset, seed {result['subset_seed']})"
            if result.get("subset_seed") is not None
            else ""
        )
        + f"; {result['num_samples']} importance samples; MI estimator "
        f"{result['mi_estimator']}"
    )
    return "\n".join(lines + [used])


def write_json(result, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
