import math
import time

import keras
import numpy as np

from keras_vae_collapse.likelihoods.token_categorical import TokenCategorical
from keras_vae_collapse.metrics.data import iterate_batches


def perplexity(total_nll, num_tokens):
    """exp(total NLL / number of predicted tokens) (</s> counted, <s> not)."""
    if num_tokens <= 0:
        raise ValueError("perplexity needs at least one predicted token")
    return float(math.exp(total_nll / num_tokens))


def iw_nll(
    model,
    data,
    num_samples=500,
    chunk_size=100,
    batch_size=50,
    num_examples=None,
    seed=0,
    verbose=0,
):
    """Importance-weighted NLL of a VAE over a dataset (Burda et al. 2016).

    -[logsumexp_k (log p(z_k) + log p(x|z_k) - log q(z_k|x)) - log K] with K =
    `num_samples` posterior samples drawn `chunk_size` at a time, nats per
    example, streamed batch by batch. For token models also the perplexity.

    Args:
        model: a `VAE`.
        data: array or batched tf.data.Dataset.
        num_samples, chunk_size: K and the samples decoded at once.
        batch_size: batch size for array data.
        num_examples: evaluate only the first `num_examples` examples (pass a
            `select_subset` of an array for a seeded random subset).
        seed: seed of the importance samples.
        verbose: 1 shows a progress bar.

    Returns a dict with `nll`, `num_examples`, `num_samples`, `chunk_size`,
    `seed`, `seconds` and, for text, `perplexity` and `num_tokens`. A model
    with more than one bound (`model.iw_bounds()`, e.g. Scale-VAE's
    `iw_nll_unscaled`) adds each under its key, and for text its perplexity
    (`perplexity_unscaled`); all bounds share the samples.
    """
    totals, count, tokens = {}, 0, 0.0
    text = isinstance(model.likelihood, TokenCategorical)
    bar = keras.utils.Progbar(num_examples, unit_name="example") if verbose else None
    start = time.time()
    for b, x in enumerate(iterate_batches(data, batch_size, num_examples)):
        bounds = model.log_prob_iw_bounds(
            x, num_samples, chunk_size, seed=seed * 1_000_003 + b
        )
        for key, log_px in bounds.items():
            totals[key] = totals.get(key, 0.0) - float(np.sum(log_px))
        log_px = bounds["iw_nll"]
        count += len(log_px)
        if text:
            tokens += float(np.sum(model.likelihood.num_events(x)))
        if bar is not None:
            bar.add(len(log_px), [("nll", -float(np.mean(log_px)))])
    if count == 0:
        raise ValueError("the evaluation data are empty")
    result = {
        "nll": totals["iw_nll"] / count,
        "num_examples": count,
        "num_samples": int(num_samples),
        "chunk_size": int(chunk_size),
        "seed": seed,
        "seconds": time.time() - start,
    }
    if text:
        result["num_tokens"] = int(tokens)
        result["perplexity"] = perplexity(totals["iw_nll"], tokens)
    for key, total in totals.items():
        if key != "iw_nll":
            result[key] = total / count
            if text:
                result[key.replace("iw_nll", "perplexity")] = perplexity(total, tokens)
    return result
