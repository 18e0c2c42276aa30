"""The failure-mode experiment (Yacoby et al. 2020): VAE, Agg-VAE, the
posterior-transform methods and LiBI on data with known generating processes.

Each method trains the same small MLP VAE (1-D latent, encoder and decoder
with one tanh layer of 64, Gaussian likelihood with the true noise scale,
Adam 1e-3, batch 100) and is scored on the test split against the exact
references of `datasets.failure_modes`.
"""

import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse import metrics
from keras_vae_collapse.datasets import failure_modes as F
from keras_vae_collapse.likelihoods import Gaussian
from keras_vae_collapse.models import registry
from keras_vae_collapse.networks import MLPDecoder, MLPEncoder

#: Registry specs of the rows (LiBI's stages are set from the epochs below).
METHODS = (
    "vae",
    "agg-vae",
    "bn-vae(gamma=0.6)",
    "du-vae",
    "delta-vae(delta=0.15)",
    "scale-vae(des_std=1.0)",
    "libi(chunk_size=500)",
)
GRID = np.linspace(-8.0, 8.0, 4001)


def build(method, dataset, steps_per_epoch, epochs, seed, hidden=64):
    keras.utils.set_random_seed(seed)
    networks = (
        MLPEncoder(1, (hidden,)),
        MLPDecoder((2,), (hidden,)),
        Gaussian((2,), F.noise_scale(dataset)),
    )
    spec = registry.parse(method)
    if "likelihood_epochs" in spec.method.hyperparameters:
        # LiBI: 5/8 of the epochs fit the likelihood, the rest the encoder.
        stages = {"likelihood_epochs": epochs * 5 // 8}
        stages["inference_epochs"] = epochs - stages["likelihood_epochs"]
        spec = registry.parse(spec, **stages)
    model = registry.build(
        spec,
        *networks,
        1,
        modality="images",  # vectors: per-example rules (Agg-VAE's patience 5)
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        clip_norm=5.0,
        seed=seed,
    )
    # Adam 1e-3 (each parameter group of Agg-VAE).
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def model_log_posterior(model, x):
    """(log p_model(x) [N], log p_model(z|x) on GRID [N, G]) by quadrature."""
    grid = GRID.astype("float32")
    out_ll, out_post = [], []
    for chunk in np.array_split(x, max(1, len(x) // 100)):
        z = tf.constant(np.tile(grid[:, None, None], [1, len(chunk), 1]))
        lp = model.conditional_log_prob(tf.constant(chunk), z).numpy().T  # [N, G]
        lp = lp + (-0.5 * (grid**2 + np.log(2 * np.pi)))[None]
        m = lp.max(axis=1, keepdims=True)
        ll = m[:, 0] + np.log(np.exp(lp - m).sum(axis=1) * (grid[1] - grid[0]))
        out_ll.append(ll)
        out_post.append(lp - ll[:, None])
    return np.concatenate(out_ll), np.concatenate(out_post)


def run(method, dataset, data, reference, epochs=40, seed=0, iw_samples=500):
    """Trains one method on one dataset; returns its row."""
    x_train, x_test = data["train"]["x"], data["test"]["x"]
    steps = int(np.ceil(len(x_train) / 100))
    model = build(method, dataset, steps, epochs, seed)
    kwargs = model.fit_arguments(train=x_train, validation=(data["validation"]["x"],))
    start = time.time()
    model.fit(x_train, batch_size=100, epochs=epochs, verbose=0, shuffle=True, **kwargs)
    seconds = time.time() - start
    # q in prior space, where p_model(z|x) and the true posterior live: the
    # posterior the decoder reconstructs from, mapped back through
    # `generation_latent` (Scale-VAE: N(mu, sigma^2 / f^2); all others: q).
    mu, logvar = model.proposal_params(*map(tf.constant, model.posterior(x_test)))
    mu = mu.numpy()[:, 0].astype(np.float64)
    logvar = logvar.numpy()[:, 0].astype(np.float64)
    model_ll, model_post = model_log_posterior(model, x_test)
    kl_model = F.kl_to_grid_posterior(mu, logvar, GRID, model_post)
    # The prior is symmetric, so z and -z describe the same model: compare q
    # with the true posterior up to that sign.
    kl_true = np.minimum(
        F.kl_to_true_posterior(dataset, x_test, mu, logvar),
        F.kl_to_true_posterior(dataset, x_test, -mu, logvar),
    )
    stats = metrics.collapse_statistics(
        model, x_test, batch_size=100, aggregate_kl=True, seed=seed
    )
    nll = metrics.iw_nll(
        model, x_test, num_samples=iw_samples, batch_size=100, seed=seed
    )
    return {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "iw_nll": nll["nll"],
        "exact_nll": float(-model_ll.mean()),
        "true_nll": float(-reference["log_px"].mean()),
        "best_gaussian_neg_elbo": float(-reference["best_elbo"].mean()),
        # Exact: -ELBO = -log p_model(x) + KL(q || p_model(z|x)), both by
        # quadrature (a one-sample ELBO is too noisy at this scale).
        "neg_elbo": float(-model_ll.mean() + kl_model.mean()),
        "kl_q_true_posterior": float(kl_true.mean()),
        "kl_q_model_posterior": float(kl_model.mean()),
        "aggregate_kl": stats["aggregate_kl"],
        "kl": stats["kl"],
        "mi_batch": stats["mi_batch"],
        "mi_dataset": stats["mi_dataset"],
        "au": stats["au"],
        "train_seconds": seconds,
        "mu": mu.tolist(),
    }


def format_table(rows):
    header = (
        f"{'dataset':<12}{'method':<17}{'seed':>4}{'IW-NLL':>8}{'exact':>8}"
        f"{'true':>7}{'-ELBO':>8}{'KL(q|p*)':>9}{'KL(q|p)':>8}{'aggKL':>7}"
        f"{'MI':>6}{'AU':>3}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['dataset']:<12}{r['method']:<17}{r['seed']:>4}{r['iw_nll']:>8.3f}"
            f"{r['exact_nll']:>8.3f}{r['true_nll']:>7.3f}{r['neg_elbo']:>8.3f}"
            f"{r['kl_q_true_posterior']:>9.3f}{r['kl_q_model_posterior']:>8.3f}"
            f"{r['aggregate_kl']:>7.3f}{r['mi_batch']:>6.2f}{r['au']:>3d}"
        )
    return "\n".join(lines)


def plot_latents(rows, data, dataset, path):
    """Posterior means against the true z of the test points, one panel per
    method (first seed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = [r for r in rows if r["dataset"] == dataset]
    chosen = [r for r in chosen if r["seed"] == chosen[0]["seed"]]
    fig, axes = plt.subplots(
        1, len(chosen), figsize=(2.4 * len(chosen), 2.6), sharey=True
    )
    for ax, r in zip(np.atleast_1d(axes), chosen):
        ax.scatter(data["test"]["z"], r["mu"], s=2, alpha=0.4)
        ax.set_title(r["method"], fontsize=8)
        ax.set_xlabel("true z", fontsize=7)
    np.atleast_1d(axes)[0].set_ylabel(f"{dataset}: posterior mean", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def run_table(
    datasets=tuple(F.FAILURE_MODES),
    methods=METHODS,
    seeds=(0,),
    epochs=40,
    output=None,
    picture_dir=None,
    log=print,
):
    """Every method on every dataset and seed; prints and returns the rows
    (JSON to `output` after every run, pictures to `picture_dir`)."""
    rows = []
    for dataset in datasets:
        data = F.failure_mode_splits(dataset, seed=0)
        log(
            f"[kvc] {dataset}: quadrature references of the "
            f"{len(data['test']['x'])} test points"
        )
        reference = F.quadrature_reference(dataset, data["test"]["x"])
        for seed in seeds:
            for method in methods:
                rows.append(run(method, dataset, data, reference, epochs, seed))
                log(format_table(rows[-1:]).splitlines()[-1])
                if output:
                    with open(output, "w") as f:
                        json.dump({"epochs": epochs, "rows": rows}, f)
        if picture_dir:
            os.makedirs(picture_dir, exist_ok=True)
            plot_latents(
                rows, data, dataset, os.path.join(picture_dir, f"{dataset}.png")
            )
    log("")
    log(format_table(rows))
    return rows
