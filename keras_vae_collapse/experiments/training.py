"""Training any method on any dataset from a preset (behind scripts/train.py)."""

import json
import os
import time

import keras
import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_vae_collapse import datasets, metrics
from keras_vae_collapse.experiments.methods import make_model
from keras_vae_collapse.likelihoods import Bernoulli, TokenCategorical
from keras_vae_collapse.models import AggressiveVAE
from keras_vae_collapse.networks import (
    PixelCNNDecoder,
    ResNetEncoder,
    TextLSTMDecoder,
    TextLSTMEncoder,
)
from keras_vae_collapse.presets import get_preset

IMAGE_SHAPE = (28, 28, 1)


def build_networks(preset, vocab_size=None):
    """(encoder, decoder, likelihood) of a preset."""
    n = preset["latent_dim"]
    if preset["data_type"] == "images":
        encoder = ResNetEncoder(
            n,
            channels=preset["encoder_channels"],
            num_blocks=preset["encoder_blocks"],
            hidden_dim=preset["encoder_hidden"],
        )
        decoder = PixelCNNDecoder(
            n,
            IMAGE_SHAPE,
            channels=preset["decoder_channels"],
            kernel_sizes=preset["kernel_sizes"],
            first_kernel=preset["first_kernel"],
            latent_maps=preset["latent_maps"],
        )
        return encoder, decoder, Bernoulli(IMAGE_SHAPE)
    emb, hidden = preset["embedding_dim"], preset["hidden_dim"]
    return (
        TextLSTMEncoder(vocab_size, n, emb, hidden),
        TextLSTMDecoder(vocab_size, n, emb, hidden, dropout=preset["dropout"]),
        TokenCategorical(vocab_size),
    )


def load_data(dataset, data_dir=None, preset=None, cache_dir=None, seed=0):
    """Batched splits of `dataset` for training and evaluation.

    Returns {"train", "validation", "test": tf.data.Dataset of batches,
    "vocabulary": Vocabulary or None, "counts": {split: examples}}. Text is
    bucketed by length; Omniglot training images are binarised dynamically.
    """
    preset = preset or get_preset(dataset)
    batch = preset["batch_size"]
    prepared = datasets.builder(dataset, data_dir, cache_dir)
    counts = {s: i.num_examples for s, i in prepared.info.splits.items()}
    out = {"vocabulary": None, "counts": counts}
    for split in ("train", "validation", "test"):
        train = split == "train"
        ds = prepared.as_dataset(
            split=split,
            shuffle_files=False,
            read_config=tfds.ReadConfig(try_autocache=False),
        )
        if dataset == "synthetic":
            ds = ds.map(lambda e: e["ids"])
            if train:
                ds = ds.shuffle(counts[split], seed=seed, reshuffle_each_iteration=True)
            out[split] = ds.batch(batch).prefetch(tf.data.AUTOTUNE)
        elif preset["data_type"] == "images":
            images = ds.map(lambda e: e["image"])
            out[split] = datasets.image_batches(
                images, batch, dynamic=train, shuffle=train, seed=seed
            )
        else:
            if out["vocabulary"] is None:
                out["vocabulary"] = prepared.vocabulary()
            out[split] = datasets.text_batches(
                ds.map(lambda e: e["text"]),
                out["vocabulary"],
                batch,
                max_length=preset["max_length"],
                shuffle=train,
                seed=seed,
            )
    return out


def vocab_size_of(dataset, data):
    if dataset == "synthetic":
        return datasets.synthetic_he2019.vocab_size()
    return len(data["vocabulary"]) if data["vocabulary"] is not None else None


def compile_model(model, preset):
    """The preset's optimizer (both parameter groups for Agg-VAE)."""

    def optimizer():
        if preset["optimizer"] == "sgd":
            return keras.optimizers.SGD(preset["learning_rate"])
        return keras.optimizers.Adam(preset["learning_rate"])

    if isinstance(model, AggressiveVAE):
        model.compile(encoder_optimizer=optimizer(), decoder_optimizer=optimizer())
    else:
        model.compile(optimizer=optimizer())


def build_model(method, dataset, preset, vocab_size, steps_per_epoch, seed=0):
    """The compiled model of `method` for `dataset` with `preset`."""
    keras.utils.set_random_seed(seed)
    encoder, decoder, likelihood = build_networks(preset, vocab_size)
    model = make_model(
        method,
        encoder,
        decoder,
        likelihood,
        preset["latent_dim"],
        steps_per_epoch=steps_per_epoch,
        epochs=preset["epochs"],
        data_type=preset["data_type"],
        warm_up_epochs=preset["warm_up_epochs"],
        clip_norm=preset["clip_norm"],
        seed=seed,
    )
    compile_model(model, preset)
    return model


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def count_batches(ds):
    n = int(ds.cardinality())
    return n if n > 0 else sum(1 for _ in ds)


def evaluate_collapse(model, data, max_batches=None, seed=0):
    """Mean KL, MI (He et al.'s batch estimator), AU and negative ELBO on
    (a prefix of) a batched split."""
    ds = data if max_batches is None else data.take(max_batches)
    stats = metrics.collapse_statistics(model, ds, estimator="batch", seed=seed)
    elbo = np.concatenate([model.elbo(x) for x in ds])
    return {
        "neg_elbo": float(-elbo.mean()),
        "kl": stats["kl"],
        "mi": stats["mi"],
        "au": stats["au"],
        "examples": int(len(elbo)),
    }


def train(
    method,
    dataset,
    data_dir=None,
    size="cpu",
    output_dir=None,
    epochs=None,
    steps_per_epoch=None,
    cache_dir=None,
    eval_batches=None,
    seed=0,
    verbose=1,
    log=print,
    **overrides,
):
    """Trains `method` on `dataset` with a preset; returns a summary dict.

    Args:
        method: a name of `experiments.methods.METHODS`.
        dataset: a name of `datasets.BUILDERS`.
        data_dir: the folder of the dataset's files.
        size: "cpu" or "paper" preset.
        output_dir: where the model (`model.keras`) and `summary.json` go.
        epochs: overrides the preset's epochs.
        steps_per_epoch: cap on the steps of an epoch (smoke runs).
        eval_batches: evaluate KL / MI / AU on this many test batches
            (None: the whole test split).
        seed: seed of initialisation, shuffling and sampling.
        overrides: preset keys to override.
    """
    preset = get_preset(dataset, size, **overrides)
    if epochs is not None:
        preset["epochs"] = int(epochs)
    shown = {k: v for k, v in preset.items() if k != "notes"}
    log(f"[kvc] {method} on {dataset} ({size} preset): {shown}")
    data = load_data(dataset, data_dir, preset, cache_dir, seed)
    full_steps = count_batches(data["train"])
    steps = min(full_steps, steps_per_epoch) if steps_per_epoch else full_steps
    log(f"[kvc] examples {data['counts']}; {steps} steps per epoch")
    model = build_model(
        method, dataset, preset, vocab_size_of(dataset, data), steps, seed
    )
    train_ds = data["train"].repeat() if steps < full_steps else data["train"]
    kwargs = {}
    if isinstance(model, AggressiveVAE):
        kwargs = {"validation_data": data["validation"], "inner_data": data["train"]}
    start = time.time()
    history = model.fit(
        train_ds,
        epochs=preset["epochs"],
        steps_per_epoch=steps if steps < full_steps else None,
        shuffle=False,  # the pipelines shuffle (seeded)
        verbose=verbose,
        **kwargs,
    )
    seconds = time.time() - start
    total_steps = steps * preset["epochs"]
    log(f"[kvc] trained {total_steps} steps in {seconds:.0f} s")
    summary = {
        "method": method,
        "dataset": dataset,
        "preset": size,
        "config": {k: _jsonable(v) for k, v in preset.items()},
        "seed": seed,
        "steps": total_steps,
        "train_seconds": seconds,
        "seconds_per_step": seconds / max(total_steps, 1),
        "final_train_loss": float(history.history["loss"][-1]),
        "final_train_kl": float(history.history["kl"][-1]),
        "test": evaluate_collapse(model, data["test"], eval_batches, seed),
    }
    log(f"[kvc] test: {summary['test']}")
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
        model.save(os.path.join(output_dir, "model.keras"))
        with open(os.path.join(output_dir, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
    return model, summary
