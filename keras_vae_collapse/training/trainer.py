"""Training any registered method on any dataset from a config (behind
`kvc-train` / scripts/train.py)."""

import contextlib
import json
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse import datasets, metrics
from keras_vae_collapse.callbacks.learning_rate_decay import LearningRateDecay
from keras_vae_collapse.configs import get_config
from keras_vae_collapse.layers.text_tokenizer import TextTokenizer
from keras_vae_collapse.models import registry
from keras_vae_collapse.training.epoch_checkpoint import (
    CHECKPOINT,
    EpochCheckpoint,
    load_schedule_state,
)
from keras_vae_collapse.training.networks import build_networks
from keras_vae_collapse.training.run_folder import RunFolder, RunFolderError
from keras_vae_collapse.version import git_commit

#: The sub-folder of a run folder that holds the final model (a preset).
RUN_MODEL = "model"
#: The facts of the summary that the final model's metadata.json records.
_PRESET_FACTS = (
    "method",
    "hyperparameters",
    "kl_schedule",
    "dataset",
    "config_size",
    "config",
    "seed",
    "steps",
    "train_seconds",
    "git_commit",
)

#: The optimizers a config may name, with their classes.
OPTIMIZERS = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}


def make_optimizer(name, learning_rate):
    """A fresh optimizer of `OPTIMIZERS` (`name`) at `learning_rate`."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](learning_rate)


def load_data(dataset, data_dir=None, config=None, cache_dir=None, seed=0):
    """Batched splits of `dataset` for training and evaluation.

    Returns {"train", "validation", "test": tf.data.Dataset of batches,
    "modality", "tokenizer" (text) or None, "vocab_size", "counts": {split:
    examples}, "train_stream"}. `train_stream(first_epoch, steps_per_epoch)`
    gives the endless stream of training epochs from `first_epoch` on, each
    shuffled by (seed, epoch) and cut to `steps_per_epoch`, so a resumed run
    sees the same batches as an uninterrupted one.
    """
    config = config or get_config(dataset)
    prepared = datasets.builder(dataset, data_dir, cache_dir)
    counts = {s: i.num_examples for s, i in prepared.info.splits.items()}
    modality = prepared.MODALITY
    tokenizer, vocab_size = None, None
    if modality == "text":
        tokenizer = TextTokenizer(prepared.vocabulary(), config["max_length"])
        vocab_size = tokenizer.vocabulary_size
    elif modality == "token_ids":
        vocab_size = prepared.vocab_size()
    out = {
        "modality": modality,
        "tokenizer": tokenizer,
        "vocab_size": vocab_size,
        "counts": counts,
    }

    def split_batches(split, **kwargs):
        return datasets.batches(
            prepared,
            split,
            config["batch_size"],
            vocabulary=tokenizer,
            max_length=config.get("max_length"),
            seed=seed,
            **kwargs,
        )

    out["train"] = split_batches("train", shuffle=True)
    out["validation"] = split_batches("validation")
    out["test"] = split_batches("test")
    out["train_stream"] = lambda first_epoch, steps=None: split_batches(
        "train", shuffle=True, first_epoch=first_epoch, steps_per_epoch=steps
    )
    return out


@contextlib.contextmanager
def precision_scope(precision):
    """Keras's global dtype policy set to `precision` (a config's
    "precision") while layers are created or deserialised, then restored."""
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision or "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def build_model(method, config, data, steps_per_epoch, seed=0):
    """The compiled model of `method` (a registry spec) for `data` (from
    `load_data`) with `config` (its networks in the config's precision)."""
    keras.utils.set_random_seed(seed)
    with precision_scope(config.get("precision")):
        return _build_model(method, config, data, steps_per_epoch, seed)


def _build_model(method, config, data, steps_per_epoch, seed):
    encoder, decoder, likelihood = build_networks(config, data["vocab_size"])
    model = registry.build(
        method,
        encoder,
        decoder,
        likelihood,
        config["latent_dim"],
        modality=data["modality"],
        steps_per_epoch=steps_per_epoch,
        epochs=config["epochs"],
        warm_up_epochs=config["warm_up_epochs"],
        clip_norm=config["clip_norm"],
        seed=seed,
        tokenizer=data["tokenizer"],
    )
    model.compile(
        optimizer=make_optimizer(config["optimizer"], config["learning_rate"]),
        # "auto" keeps a method's own choice (Agg-VAE's XLA sub-steps)
        jit_compile=True if config.get("jit_compile") else "auto",
        steps_per_execution=steps_per_call(
            config.get("steps_per_execution", 1), steps_per_epoch
        ),
    )
    return model


def steps_per_call(requested, steps_per_epoch):
    """The largest divisor of `steps_per_epoch` not above `requested`: Keras
    runs whole calls of `steps_per_execution` steps, so a call that crossed
    an epoch's end would train on the next epoch's batches."""
    requested = max(int(requested), 1)
    if not steps_per_epoch:
        return 1
    return max(d for d in range(1, requested + 1) if steps_per_epoch % d == 0)


def count_batches(ds):
    n = int(ds.cardinality())
    return n if n > 0 else sum(1 for _ in ds)


def evaluate_collapse(model, data, max_batches=None, seed=0):
    """Mean KL, both MI estimates (`mi_batch` over the split's batches,
    `mi_dataset`), AU and negative ELBO on a batched split, or on
    `max_batches` of its batches chosen at random (seeded)."""
    if max_batches is not None:
        # A seeded random choice of batches: the split's first batches are
        # its shortest length bucket, not a sample of it.
        count = count_batches(data)
        data = data.shuffle(count, seed=seed, reshuffle_each_iteration=False)
        data = data.take(max_batches)
    ds = data
    stats = metrics.collapse_statistics(model, ds, seed=seed)
    elbo = np.concatenate([model.elbo(x) for x in ds])
    return {
        "neg_elbo": float(-elbo.mean()),
        "kl": stats["kl"],
        "mi_batch": stats["mi_batch"],
        "mi_dataset": stats["mi_dataset"],
        "au": stats["au"],
        "examples": int(len(elbo)),
    }


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


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
    hyperparameters=None,
    overwrite=False,
    strategy=None,
    **overrides,
):
    """Trains `method` on `dataset` with a config; returns (model, summary).

    With `output_dir`, the model is checkpointed after every epoch
    (`checkpoint.keras` + `checkpoint.json`), TensorBoard logs go to
    `logs/`, and the final model (the preset folder `model/`, tokenizer and
    vocabulary inside: `VAE.from_preset`) and `summary.json` are written
    there. `resume=True`
    continues from the last checkpoint: weights, optimizers, KL step, method
    state and RNG states are restored and the epochs that follow see the same
    batches (seeded by epoch), so the result equals an uninterrupted run.

    With a `schedule` in the config (`callbacks.LearningRateDecay`'s
    arguments), the validation ELBO is computed every epoch, the learning
    rate is halved with a reload of the best weights as in the reference
    code, `epochs` is a maximum, and the best checkpoint is scored.

    Args:
        method: a registry spec (`"bn-vae"`, `"bn-vae(gamma=0.7)"`, ...).
        dataset: a name of `datasets.BUILDERS`.
        data_dir: the folder of the dataset's files.
        size: "cpu" or "paper" config.
        output_dir: checkpoints, logs, final model and summary.
        epochs: overrides the config's epochs.
        steps_per_epoch: cap on the steps of an epoch (smoke runs).
        cache_dir: tfds folder of the prepared datasets.
        eval_batches: evaluate KL / MI / AU on this many test batches
            (None: the whole test split).
        seed: seed of initialisation, shuffling and sampling.
        resume: continue from `output_dir`'s checkpoint if there is one (the
            folder's `run.json` must record the same run).
        overwrite: replace a non-empty `output_dir` (else an error).
        tensorboard: write TensorBoard logs (with `output_dir`).
        hyperparameters: the method's hyperparameters (override the spec's).
        strategy: a `tf.distribute` strategy to build and train the model
            under (batches are global: each replica takes its part). With a
            multi-worker strategy, workers other than the chief write their
            run folder to `<output_dir>-worker<index>`.
        overrides: config keys to override (over the preset, and over the
            keys the method's registry entry sets, `Method.config`).
    """
    spec = registry.parse(method, **(hyperparameters or {}))
    config = get_config(dataset, size, **{**spec.method.config, **overrides})
    if epochs is not None:
        config["epochs"] = int(epochs)
    shown = {k: v for k, v in config.items() if k != "notes"}
    log(f"[kvc] {spec.name} on {dataset} ({size} config): {shown}")
    if resume and output_dir is None:
        raise ValueError("resume=True needs output_dir")
    if output_dir and strategy is not None and not strategy.extended.should_checkpoint:
        output_dir = f"{output_dir.rstrip(os.sep)}-worker{_task_index(strategy)}"
        log(f"[kvc] not the chief worker: writing to {output_dir}")
    options = {
        "steps_per_epoch": steps_per_epoch,
        "cache_dir": cache_dir,
        "eval_batches": eval_batches,
        "seed": seed,
        "tensorboard": tensorboard,
        "verbose": verbose,
        "log": log,
    }
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    if output_dir is None:
        with scope:
            return _train(spec, dataset, data_dir, size, config, None, None, **options)
    record = {
        "method": spec.name,
        "dataset": dataset,
        "config_size": size,
        "config": {k: _jsonable(v) for k, v in config.items()},
        "seed": seed,
        "steps_per_epoch": steps_per_epoch,
        "data_dir": None if data_dir is None else os.path.abspath(data_dir),
        "command": list(sys.argv),
    }
    with RunFolder(output_dir) as folder, scope:
        state = folder.open(record, resume=resume, overwrite=overwrite)
        if resume:
            log(
                f"[kvc] resuming after epoch {state['epochs_done']} from {output_dir}"
                if state
                else f"[kvc] no checkpoint in {output_dir}: starting from scratch"
            )
        return _train(
            spec, dataset, data_dir, size, config, output_dir, state, **options
        )


def _shard_by_data(data):
    """Every worker reads every global batch and keeps its part (tf.data's
    DATA auto-sharding): a split stored as one file cannot be sharded by
    file, tf.data's default for several workers."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    out = dict(data)
    for split in ("train", "validation", "test"):
        if data.get(split) is not None:
            out[split] = data[split].with_options(options)
    stream = data["train_stream"]
    out["train_stream"] = lambda *a, **k: stream(*a, **k).with_options(options)
    return out


def _task_index(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    return getattr(resolver, "task_id", 0) or 0


def _train(
    spec,
    dataset,
    data_dir,
    size,
    config,
    output_dir,
    state,
    steps_per_epoch=None,
    cache_dir=None,
    eval_batches=None,
    seed=0,
    tensorboard=True,
    verbose=1,
    log=print,
):
    initial_epoch = 0 if state is None else int(state["epochs_done"])
    # The global seed also fixes tf.data's shuffles: set it on resumption too.
    keras.utils.set_random_seed(seed)
    data = load_data(dataset, data_dir, config, cache_dir, seed)
    if tf.distribute.has_strategy():
        data = _shard_by_data(data)
    full_steps = count_batches(data["train"])
    steps = min(full_steps, steps_per_epoch) if steps_per_epoch else full_steps
    log(f"[kvc] examples {data['counts']}; {steps} steps per epoch")
    if state is not None:
        path = os.path.join(output_dir, CHECKPOINT)
        try:
            with precision_scope(config.get("precision")):
                model = keras.saving.load_model(path)
        except Exception as error:  # a damaged file: say which, and what to do
            raise RunFolderError(
                f"{path} cannot be loaded ({type(error).__name__}: {error}); the "
                "checkpoint is damaged: train anew with --overwrite"
            ) from error
        # the compile config's steps per call, fitted to this epoch's length
        # (the data folder may change on resume)
        model.steps_per_execution = steps_per_call(model.steps_per_execution, steps)
    else:
        model = build_model(spec, config, data, steps, seed)
    schedule = None
    if config.get("schedule"):
        schedule = LearningRateDecay(**config["schedule"], verbose=int(verbose > 0))
        if state is not None:
            load_schedule_state(output_dir, state, schedule)
    callbacks = [] if schedule is None else [schedule]
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
        seconds_before = 0.0 if state is None else state.get("train_seconds", 0.0)
        callbacks.append(EpochCheckpoint(output_dir, schedule, seconds_before))
        if tensorboard:
            callbacks.append(
                keras.callbacks.TensorBoard(os.path.join(output_dir, "logs"))
            )
    fit_arguments = model.fit_arguments(
        train=data["train"], validation=data["validation"]
    )
    if schedule is not None:  # the schedule reads the validation ELBO
        fit_arguments.setdefault("validation_data", data["validation"])
    start = time.time()
    history = {}
    finished = schedule is not None and schedule.finished
    if initial_epoch < config["epochs"] and not finished:
        history = model.fit(
            data["train_stream"](initial_epoch, steps),
            initial_epoch=initial_epoch,
            epochs=config["epochs"],
            steps_per_epoch=steps,
            callbacks=callbacks,
            shuffle=False,  # the pipelines shuffle (seeded)
            verbose=verbose,
            **fit_arguments,
        ).history
    if schedule is not None:
        schedule.restore_best_weights()  # the checkpoint the reference scores
    seconds = time.time() - start
    trained = steps * len(history.get("loss", []))
    log(f"[kvc] trained {trained} steps in {seconds:.0f} s")
    if state is not None:  # the whole run's time: earlier processes too
        seconds += float(state.get("train_seconds", 0.0))
    last = {k: v[-1] for k, v in history.items()} or (state or {}).get("logs", {})
    summary = {
        "method": spec.name,
        "method_entry": spec.method.name,
        "hyperparameters": spec.resolved(data["modality"]),
        "kl_schedule": spec.kl_schedule,
        "dataset": dataset,
        "config_size": size,
        "config": {k: _jsonable(v) for k, v in config.items()},
        "seed": seed,
        "git_commit": git_commit(),
        "steps": steps * (len(history.get("loss", [])) + initial_epoch),
        "resumed_after_epoch": initial_epoch if state is not None else None,
        "train_seconds": seconds,
        "seconds_per_step": seconds
        / max(steps * (len(history.get("loss", [])) + initial_epoch), 1),
        "method_report": model.training_report(),
        "final_train_loss": float(last.get("loss", float("nan"))),
        "final_train_kl": float(last.get("kl", float("nan"))),
        "epochs_trained": int(len(history.get("loss", []))) + initial_epoch,
        "schedule": None if schedule is None else schedule.get_state(),
        "test": evaluate_collapse(model, data["test"], eval_batches, seed),
    }
    log(f"[kvc] test: {summary['test']}")
    if output_dir:
        model.save_to_preset(
            os.path.join(output_dir, RUN_MODEL),
            metadata={k: summary[k] for k in _PRESET_FACTS},
            overwrite=True,
        )
        with open(os.path.join(output_dir, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
    return model, summary
