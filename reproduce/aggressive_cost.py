"""What aggressive training costs: VAE vs Agg-VAE on the same data and network.

Trains a VAE and an Agg-VAE (switched off by validation MI, text rule) on the
synthetic corpus with the same architecture, batches and epochs, timing every
epoch, and reports seconds per epoch while aggressive and while not, the total
training time and the ratio Agg-VAE / VAE (He et al. report 2.2 to 3.7).
"""

import time

import keras
import numpy as np

from keras_vae_collapse.datasets import synthetic_he2019
from reproduce import synthetic_table


class EpochTimer(keras.callbacks.Callback):
    """Records each epoch's wall time and whether it was aggressive."""

    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        flag = getattr(self.model, "aggressive", None)
        self._aggressive = bool(int(flag.numpy())) if flag is not None else False
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(
            {
                "seconds": time.perf_counter() - self._start,
                "aggressive": self._aggressive,
                "inner_steps": (logs or {}).get("inner_steps"),
            }
        )


def _mean(values):
    return float(np.mean(values)) if values else float("nan")


def run_cost_benchmark(
    epochs=10,
    train_examples=16_000,
    size=50,
    latent_dim=2,
    batch_size=16,
    seed=0,
    xla=True,
    log=print,
):
    """Trains both models and returns {"vae": ..., "agg-vae": ..., "ratio": ...}."""
    data = synthetic_he2019.synthetic_splits()
    data["train"] = {k: v[:train_examples] for k, v in data["train"].items()}
    steps = int(np.ceil(train_examples / batch_size))
    results = {}
    for method in ("vae", "agg-vae"):
        model = synthetic_table.build_model(
            method,
            synthetic_he2019.vocab_size(),
            steps,
            epochs,
            size=size,
            latent_dim=latent_dim,
            seed=seed,
        )
        synthetic_table.compile_model(model, 1.0, xla)
        timer = EpochTimer()
        kwargs = synthetic_table.fit_kwargs(model, data)
        log(f"[kvc] timing {method}: {epochs} epochs of {train_examples} sequences")
        start = time.perf_counter()
        model.fit(
            data["train"]["x"],
            batch_size=batch_size,
            epochs=epochs,
            verbose=2,
            callbacks=[timer],
            **kwargs,
        )
        total = time.perf_counter() - start
        agg = [e["seconds"] for e in timer.epochs if e["aggressive"]]
        plain = [e["seconds"] for e in timer.epochs if not e["aggressive"]]
        results[method] = {
            "total_seconds": total,
            "aggressive_epochs": len(agg),
            "seconds_per_aggressive_epoch": _mean(agg),
            "seconds_per_plain_epoch": _mean(plain),
            "mean_inner_steps": _mean(
                [e["inner_steps"] for e in timer.epochs if e["aggressive"]]
            ),
            "epochs": timer.epochs,
        }
    results["ratio"] = (
        results["agg-vae"]["total_seconds"] / results["vae"]["total_seconds"]
    )
    results["config"] = {
        "epochs": epochs,
        "train_examples": train_examples,
        "size": size,
        "latent_dim": latent_dim,
        "batch_size": batch_size,
        "seed": seed,
        "xla": xla,
    }
    return results


def format_cost_table(results):
    header = (
        f"{'model':<9}{'agg. epochs':>12}{'s/agg. epoch':>14}"
        f"{'inner steps':>12}{'s/plain epoch':>15}{'total s':>9}"
    )
    lines = [header, "-" * len(header)]
    for name in ("vae", "agg-vae"):
        r = results[name]
        lines.append(
            f"{name:<9}{r['aggressive_epochs']:>12d}"
            f"{r['seconds_per_aggressive_epoch']:>14.1f}{r['mean_inner_steps']:>12.1f}"
            f"{r['seconds_per_plain_epoch']:>15.1f}{r['total_seconds']:>9.1f}"
        )
    lines.append(f"ratio Agg-VAE / VAE (total training time): {results['ratio']:.2f}")
    return "\n".join(lines)
