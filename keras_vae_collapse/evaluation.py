"""Evaluating a trained model on a dataset split (behind `kvc-evaluate` /
scripts/evaluate.py): IW-NLL, perplexity, KL, MI, AU."""

import json
import os

import numpy as np

from keras_vae_collapse import datasets, metrics


def evaluation_batches(
    dataset,
    data_dir,
    split="test",
    batch_size=32,
    eval_examples=None,
    seed=0,
    cache_dir=None,
    tokenizer=None,
):
    """(batched tf.data.Dataset, info) of a split or of a fixed, seeded random
    subset of `eval_examples` of its examples. `info` says which were used.

    Text is tokenised by `tokenizer` (the model's: its vocabulary, rules and
    cut); a text dataset without one is an error, since the dataset's own
    vocabulary need not be the model's.
    """
    prepared = datasets.builder(dataset, data_dir, cache_dir)
    if prepared.MODALITY == "text" and tokenizer is None:
        raise ValueError(
            f"{dataset} is text: evaluating needs the model's tokenizer "
            "(model.tokenizer)"
        )
    examples = datasets.split_examples(prepared, split)
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
    ds = datasets.batches(
        prepared,
        split,
        batch_size,
        vocabulary=tokenizer,
        examples=examples,
        dynamic=False,  # evaluate the stored (static) images of every split
    )
    if tokenizer is not None:
        info["max_length"] = tokenizer.max_length
    return ds, info


def evaluate(model, data, num_samples=500, seed=0, aggregate_kl=False, verbose=0):
    """IW-NLL (and perplexity for text), KL, both MI estimates (`mi_batch`,
    He et al.'s, over the data's batches; `mi_dataset`, over all examples),
    AU and optionally the aggregate-posterior KL of `model` on batched data."""
    nll = metrics.iw_nll(
        model, data, num_samples=num_samples, seed=seed, verbose=verbose
    )
    stats = metrics.collapse_statistics(
        model, data, aggregate_kl=aggregate_kl, seed=seed
    )
    result = {
        "iw_nll": nll["nll"],
        "num_samples": nll["num_samples"],
        "kl": stats["kl"],
        "mi_batch": stats["mi_batch"],
        "mi_dataset": stats["mi_dataset"],
        "mi_batch_size": stats["mi_batch_size"],
        "au": stats["au"],
        "num_examples": nll["num_examples"],
        "seed": seed,
    }
    if "perplexity" in nll:
        result["perplexity"] = nll["perplexity"]
        result["num_tokens"] = nll["num_tokens"]
    bounds = model.iw_bounds()
    for key in bounds:
        if key != "iw_nll":
            result[key] = nll[key]
            perplexity_key = key.replace("iw_nll", "perplexity")
            if perplexity_key in nll:
                result[perplexity_key] = nll[perplexity_key]
    result["iw_bounds"] = dict(bounds)
    if aggregate_kl:
        result["aggregate_kl"] = stats["aggregate_kl"]
    return result


def format_result(result):
    """The result as a two-column table."""
    extra = [k for k in result.get("iw_bounds", {}) if k != "iw_nll"]
    keys = ["iw_nll", "perplexity"]
    keys += [x for k in extra for x in (k, k.replace("iw_nll", "perplexity"))]
    keys += ["kl", "mi_batch", "mi_dataset", "au", "aggregate_kl"]
    width = max(14, max(len(k) for k in keys) + 2)
    lines = ["", f"{'metric':<{width}}{'value':>12}", "-" * (width + 12)]
    for key in keys:
        if key in result:
            value = result[key]
            text = f"{value:>12d}" if isinstance(value, int) else f"{value:>12.3f}"
            lines.append(f"{key:<{width}}{text}")
    used = (
        f"{result['num_examples']} of {result['split_examples']} {result['split']} "
        f"examples"
        + (
            f" (seeded subset, seed {result['subset_seed']})"
            if result.get("subset_seed") is not None
            else ""
        )
        + f"; {result['num_samples']} importance samples; mi_batch: He et al.'s "
        f"estimator over batches of {result['mi_batch_size']} (Agg-VAE paper); "
        "mi_dataset: over all examples (BN-VAE, DU-VAE, Scale-VAE papers)"
        + "".join(
            f"; {key}: {what}" for key, what in result.get("iw_bounds", {}).items()
        )
    )
    return "\n".join(lines + [used])


def write_json(result, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
