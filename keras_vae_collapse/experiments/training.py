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
    "train_stream(first_epoch, steps_per_epoch)" gives the endless stream of
    training epochs from `first_epoch` on, each shuffled by (seed, epoch) and
    cut to `steps_per_epoch`, so a resumed run sees the same batches as an
    uninterrupted one.
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
            ids = ds.map(lambda e: e["ids"]).cache()

            def make(first_epoch, steps=None, ids=ids, train=train, n=counts[split]):
                def epoch(e):
                    d = ids
                    if train:
                        d = d.shuffle(
                            n, seed=datasets.text_pipeline.epoch_seed(seed, e)
                        )
                    return d.batch(batch)

                if first_epoch is None:
                    return epoch(0).prefetch(tf.data.AUTOTUNE)
                stream = datasets.text_pipeline.epoch_stream(epoch, first_epoch, steps)
                return stream.prefetch(tf.data.AUTOTUNE)

        elif preset["data_type"] == "images":
            images = ds.map(lambda e: e["image"])

            def make(first_epoch, steps=None, images=images, train=train):
                return datasets.image_batches(
                    images,
                    batch,
                    dynamic=train,
                    shuffle=train,
                    seed=seed,
                    first_epoch=first_epoch,
                    steps_per_epoch=steps,
                )

        else:
            if out["vocabulary"] is None:
                out["vocabulary"] = prepared.vocabulary()
            texts = ds.map(lambda e: e["text"])

            def make(first_epoch, steps=None, texts=texts, train=train):
                return datasets.text_batches(
                    texts,
                    out["vocabulary"],
                    batch,
                    max_length=preset["max_length"],
                    shuffle=train,
                    seed=seed,
                    first_epoch=first_epoch,
                    steps_per_epoch=steps,
                )

        out[split] = make(None)
        if train:
            out["train_stream"] = make
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


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizers, KL step, method state, RNG
    states) and the finished-epoch count after every epoch, atomically: an
    interrupted run resumes from the last finished epoch."""

    def __init__(self, directory):
        super().__init__()
        self.directory = directory

    def on_epoch_end(self, epoch, logs=None):
        path = os.path.join(self.directory, CHECKPOINT)
        self.model.save(path + ".tmp.keras")
        os.replace(path + ".tmp.keras", path)
        state = {"epochs_done": epoch + 1, "logs": _floats(logs)}
        with open(os.path.join(self.directory, STATE) + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(
            os.path.join(self.directory, STATE) + ".tmp",
            os.path.join(self.directory, STATE),
        )


CHECKPOINT = "checkpoint.keras"
STATE = "checkpoint.json"


def _floats(logs):
    return {k: float(v) for k, v in (logs or {}).items()}


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
    resume=False,
    tensorboard=True,
    verbose=1,
    log=print,
    **overrides,
):
    """Trains `method` on `dataset` with a preset; returns (model, summary).

    With `output_dir`, the model is checkpointed after every epoch
    (`checkpoint.keras` + `checkpoint.json`), TensorBoard logs go to
    `logs/`, and the final model (`model.keras`), `summary.json` and, for
    text, `vocabulary.txt` are written there.
    `resume=True` continues from the last checkpoint: weights, optimizers,
    KL step, method state and RNG states are restored and the epochs that
    follow see the same batches (seeded by epoch), so the result equals an
    uninterrupted run (Agg-VAE's inner-loop stream skips the batches it
    already drew).

    Args:
        method: a name of `experiments.methods.METHODS`.
        dataset: a name of `datasets.BUILDERS`.
        data_dir: the folder of the dataset's files.
        size: "cpu" or "paper" preset.
        output_dir: checkpoints, logs, final model and summary.
        epochs: overrides the preset's epochs.
        steps_per_epoch: cap on the steps of an epoch (smoke runs).
        cache_dir: tfds folder of the prepared datasets.
        eval_batches: evaluate KL / MI / AU on this many test batches
            (None: the whole test split).
        seed: seed of initialisation, shuffling and sampling.
        resume: continue from `output_dir`'s checkpoint if there is one.
        tensorboard: write TensorBoard logs (with `output_dir`).
        overrides: preset keys to override.
    """
    preset = get_preset(dataset, size, **overrides)
    if epochs is not None:
        preset["epochs"] = int(epochs)
    shown = {k: v for k, v in preset.items() if k != "notes"}
    log(f"[kvc] {method} on {dataset} ({size} preset): {shown}")
    initial_epoch, state = 0, None
    if resume:
        if output_dir is None:
            raise ValueError("resume=True needs output_dir")
        state_path = os.path.join(output_dir, STATE)
        if os.path.exists(state_path):
            with open(state_path) as f:
                state = json.load(f)
            initial_epoch = int(state["epochs_done"])
            log(f"[kvc] resuming after epoch {initial_epoch} from {output_dir}")
        else:
            log(f"[kvc] no checkpoint in {output_dir}: starting from scratch")
    # The global seed also fixes tf.data's shuffles: set it on resumption too.
    keras.utils.set_random_seed(seed)
    data = load_data(dataset, data_dir, preset, cache_dir, seed)
    full_steps = count_batches(data["train"])
    steps = min(full_steps, steps_per_epoch) if steps_per_epoch else full_steps
    log(f"[kvc] examples {data['counts']}; {steps} steps per epoch")
    if state is not None:
        model = keras.saving.load_model(os.path.join(output_dir, CHECKPOINT))
    else:
        model = build_model(
            method, dataset, preset, vocab_size_of(dataset, data), steps, seed
        )
    callbacks, kwargs = [], {}
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
        callbacks.append(EpochCheckpoint(output_dir))
        if tensorboard:
            callbacks.append(
                keras.callbacks.TensorBoard(os.path.join(output_dir, "logs"))
            )
    if isinstance(model, AggressiveVAE):
        kwargs = {"validation_data": data["validation"], "inner_data": data["train"]}
    start = time.time()
    history = {}
    if initial_epoch < preset["epochs"]:
        history = model.fit(
            data["train_stream"](initial_epoch, steps),
            initial_epoch=initial_epoch,
            epochs=preset["epochs"],
            steps_per_epoch=steps,
            callbacks=callbacks,
            shuffle=False,  # the pipelines shuffle (seeded)
            verbose=verbose,
            **kwargs,
        ).history
    seconds = time.time() - start
    trained = steps * (preset["epochs"] - initial_epoch)
    log(f"[kvc] trained {trained} steps in {seconds:.0f} s")
    last = {k: v[-1] for k, v in history.items()} or (state or {}).get("logs", {})
    summary = {
        "method": method,
        "dataset": dataset,
        "preset": size,
        "config": {k: _jsonable(v) for k, v in preset.items()},
        "seed": seed,
        "steps": steps * preset["epochs"],
        "resumed_after_epoch": initial_epoch if state is not None else None,
        "train_seconds": seconds,
        "seconds_per_step": seconds / max(trained, 1),
        "final_train_loss": float(last.get("loss", float("nan"))),
        "final_train_kl": float(last.get("kl", float("nan"))),
        "test": evaluate_collapse(model, data["test"], eval_batches, seed),
    }
    log(f"[kvc] test: {summary['test']}")
    if output_dir:
        model.save(os.path.join(output_dir, "model.keras"))
        if data["vocabulary"] is not None:
            data["vocabulary"].save(os.path.join(output_dir, "vocabulary.txt"))
        with open(os.path.join(output_dir, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
    return model, summary
