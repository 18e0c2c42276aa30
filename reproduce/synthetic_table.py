"""The main job: every method on the synthetic data of He et al. 2019.

Trains each method with the same small LSTM text VAE (embeddings and LSTMs of
50, latent 2, dropout 0.5, batch 16; He et al.'s synthetic configuration with
fewer epochs) and reports IW-NLL, KL, MI, AU and training time on the test
split.
"""

import json
import time

import keras
import numpy as np

from keras_vae_collapse import metrics
from keras_vae_collapse.callbacks import PosteriorMeanSpace
from keras_vae_collapse.datasets import synthetic_he2019
from keras_vae_collapse.likelihoods import TokenCategorical
from keras_vae_collapse.models import registry
from keras_vae_collapse.networks import TextLSTMDecoder, TextLSTMEncoder

#: The rows of the main job's table (registry specs), in order.
METHODS = (
    "vae",
    "vae+anneal",
    "cyclical",
    "beta-vae(beta=0.2)",
    "free-bits(free_bits=0.25)",
    "agg-vae",
    "agg-vae+anneal",
    "bn-vae(gamma=0.6)",
    "du-vae",
    "delta-vae(delta=0.15)",
    "scale-vae(des_std=1.0)",
)

#: The two optimisers of the reference configuration and their learning rates.
OPTIMIZERS = {"sgd": (keras.optimizers.SGD, 1.0), "adam": (keras.optimizers.Adam, 1e-3)}


def make_optimizer(optimizer="sgd", learning_rate=None):
    """SGD (lr 1.0, He et al.) or Adam (lr 1e-3); `learning_rate` overrides."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; known: sgd, adam")
    cls, default = OPTIMIZERS[optimizer]
    return cls(default if learning_rate is None else learning_rate)


def compile_model(model, learning_rate=None, xla=True, optimizer="sgd"):
    """`optimizer` ("sgd" or "adam", both groups for Agg-VAE) at the
    reference learning rate unless `learning_rate` is given.

    `xla` compiles the training step with XLA (Agg-VAE compiles only its
    numerical sub-steps, its `jit_steps` hyperparameter); in-graph input
    checks are skipped under XLA, which is fine for the generated corpus.
    """
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        jit_compile=xla,
    )


def fit_kwargs(model, data):
    """What the method needs from the splits (`VAE.fit_arguments`)."""
    return model.fit_arguments(
        train=data["train"]["x"], validation=(data["validation"]["x"],)
    )


def build_model(
    method, vocab_size, steps_per_epoch, epochs, size=50, latent_dim=2, seed=0
):
    """The synthetic-experiment text VAE of `method` (not compiled)."""
    keras.utils.set_random_seed(seed)
    return registry.build(
        method,
        TextLSTMEncoder(vocab_size, latent_dim, size, size),
        TextLSTMDecoder(vocab_size, latent_dim, size, size, dropout=0.5),
        TokenCategorical(vocab_size),
        latent_dim,
        modality="token_ids",
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        clip_norm=5.0,
        seed=seed,
    )


def run_method(
    method,
    data,
    epochs=4,
    batch_size=16,
    learning_rate=None,
    optimizer=None,
    seed=0,
    iw_samples=100,
    eval_examples=None,
    latent_dim=2,
    xla=True,
    callbacks=None,
    verbose=2,
):
    """Trains one method and returns its row of the table. `optimizer`
    None takes the method's (`Method.config`, e.g. Scale-VAE's Adam), else
    SGD."""
    if optimizer is None:
        own = registry.parse(method).method.config
        optimizer = own.get("optimizer", "sgd")
        if learning_rate is None:
            learning_rate = own.get("learning_rate")
    vocab = synthetic_he2019.vocab_size()
    train = data["train"]["x"]
    steps = int(np.ceil(len(train) / batch_size))
    model = build_model(method, vocab, steps, epochs, latent_dim=latent_dim, seed=seed)
    compile_model(model, learning_rate, xla, optimizer)
    start = time.time()
    history = model.fit(
        train,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=verbose,
        callbacks=callbacks,
        **fit_kwargs(model, data),
    )
    seconds = time.time() - start
    test, _ = metrics.select_subset(data["test"]["x"], eval_examples, seed=0)
    nll = metrics.iw_nll(model, test, num_samples=iw_samples, batch_size=50, seed=seed)
    # MI over batches of the training batch size, as the reference evaluates.
    stats = metrics.collapse_statistics(model, test, batch_size=batch_size, seed=seed)
    return {
        "method": method,
        "seed": seed,
        "iw_nll": nll["nll"],
        "ppl": nll["perplexity"],
        **{k: v for k, v in nll.items() if k.startswith("iw_nll_")},
        "kl": stats["kl"],
        "mi_batch": stats["mi_batch"],
        "mi_dataset": stats["mi_dataset"],
        "au": stats["au"],
        "train_seconds": seconds,
        "aggressive_epochs": int(sum(history.history.get("aggressive", [0]))),
        "epochs": epochs,
        "optimizer": optimizer,
        "latent_dim": latent_dim,
        "iw_samples": iw_samples,
        "eval_examples": int(len(test)),
    }


def format_table(rows):
    """The rows as a table. MI(b): He et al.'s per-batch estimator at the
    training batch size (the Agg-VAE paper's column); MI(d): over the whole
    test split (the BN-VAE / DU-VAE / Scale-VAE papers' column)."""
    width = max([18] + [len(r["method"]) + 2 for r in rows])
    header = (
        f"{'method':<{width}}{'seed':>5}{'IW-NLL':>9}{'PPL':>8}"
        f"{'KL':>7}{'MI(b)':>7}{'MI(d)':>7}{'AU':>4}{'time(s)':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['method']:<{width}}{r['seed']:>5}{r['iw_nll']:>9.2f}"
            f"{r['ppl']:>8.1f}{r['kl']:>7.2f}{r['mi_batch']:>7.2f}"
            f"{r['mi_dataset']:>7.2f}{r['au']:>4d}{r['train_seconds']:>9.1f}"
        )
    for r in rows:
        for key in sorted(k for k in r if k.startswith("iw_nll_")):
            lines.append(
                f"{r['method']} seed {r['seed']}: {key} {r[key]:.2f} (IW-NLL of "
                "the decoder fed z ~ N(0, I) unscaled: the paper's NLL, our reading)"
            )
    return "\n".join(lines)


def run_table(
    methods=None,
    epochs=4,
    seeds=(0,),
    output=None,
    log=print,
    splits=None,
    train_examples=None,
    posterior_mean_space_dir=None,
    **kwargs,
):
    """Trains every method (and seed), prints progress and the table.

    Writes the rows as JSON to `output` (if given) after every finished run, so
    an interrupted job keeps what it measured. With a 1-D latent and
    `posterior_mean_space_dir`, records the posterior-mean space of 500
    training points at the start, after 1/4 of the first epoch, after each
    epoch (PNG + npz per method and seed).
    """
    methods = list(METHODS) if methods is None else list(methods)
    for m in methods:
        registry.parse(m)  # a clear error before anything trains
    sizes = dict(splits or synthetic_he2019.SPLITS)
    log(f"[kvc] generating the synthetic corpus of He et al. 2019 {sizes}")
    data = synthetic_he2019.synthetic_splits(splits=splits)
    if train_examples is not None and train_examples < len(data["train"]["x"]):
        data["train"] = {k: v[:train_examples] for k, v in data["train"].items()}
        sizes["train"] = train_examples
        log(f"[kvc] training on the first {train_examples} training sequences")
    rows = []
    total = len(methods) * len(seeds)
    for seed in seeds:
        for method in methods:
            log(
                f"[kvc] ({len(rows) + 1}/{total}) training {method}, "
                f"seed {seed}, {epochs} epochs"
            )
            callbacks = []
            if posterior_mean_space_dir and kwargs.get("latent_dim", 2) == 1:
                steps = int(np.ceil(len(data["train"]["x"]) / 16))
                callbacks.append(
                    PosteriorMeanSpace(
                        data["train"]["x"][:500],
                        iterations=[0, steps // 4]
                        + [steps * (e + 1) for e in range(epochs)],
                        output_dir=f"{posterior_mean_space_dir}/{method}_seed{seed}",
                    )
                )
            rows.append(
                run_method(
                    method,
                    data,
                    epochs=epochs,
                    seed=seed,
                    callbacks=callbacks,
                    **kwargs,
                )
            )
            log(format_table(rows[-1:]).splitlines()[-1])
            if output:
                with open(output, "w") as f:
                    config = {"epochs": epochs, "splits": sizes, **kwargs}
                    json.dump({"rows": rows, "config": config}, f, indent=2)
    log("")
    log(format_table(rows))
    return rows
