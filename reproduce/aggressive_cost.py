"""What aggressive training costs and keeps: the Agg-VAE table (issue 15, item 3).

He et al.'s synthetic protocol on the shared draw (`synthetic_he2019`, 16,000
training sequences, the paper config and its learning-rate schedule), one run
per method and seed through `training.train`, each scored by
`evaluation.evaluate` on the full test split (IW-NLL with K importance
samples, KL, both MI estimators, AU). Times are the runs' own training
seconds (`summary["train_seconds"]`, summed over resumptions); the ratio is to
the VAE of the same seed.

Every finished row is written to `<output_dir>/<row>_s<seed>/table_row.json`
and an interrupted run resumes from its last epoch, so calling `run_table`
again continues where it stopped. Times only compare between rows run under
the same load: run them one at a time with the same `threads`.
"""

import json
import os
import re

import numpy as np

DATASET = "synthetic_he2019"
#: The table's rows: VAE and the two Agg-VAE settings, each without and with
#: He et al.'s KL annealing.
ROWS = (
    "vae",
    "vae+anneal",
    "agg-vae-ref",
    "agg-vae",
    "agg-vae-ref+anneal",
    "agg-vae+anneal",
)
COLUMNS = (
    ("iw_nll", "IW-NLL", ".2f"),
    ("kl", "KL", ".2f"),
    ("mi_batch", "MI(b)", ".2f"),
    ("mi_dataset", "MI(d)", ".2f"),
    ("au", "AU", ".0f"),
    ("aggressive_steps", "agg. steps", ".0f"),
    ("inner_steps", "inner steps", ".0f"),
    ("epochs", "epochs", ".0f"),
    ("train_seconds", "train s", ".0f"),
    ("ratio", "x VAE", ".2f"),
)


def folder_name(method, seed):
    """`agg-vae(check_every=250)+anneal`, 0 -> `agg-vae_check_every_250_anneal_s0`."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", method).strip("_") + f"_s{seed}"


def run_row(
    method,
    seed,
    data_dir,
    output_dir,
    num_samples=500,
    size="paper",
    cache_dir=None,
    verbose=2,
    log=print,
    **overrides,
):
    """Trains (or resumes) one method and seed, evaluates the best checkpoint
    on the test split and returns the table row (also written as JSON)."""
    from keras_vae_collapse import evaluation, training
    from keras_vae_collapse.cli.common import load_model

    folder = os.path.join(output_dir, folder_name(method, seed))
    row_path = os.path.join(folder, "table_row.json")
    if os.path.exists(row_path):
        with open(row_path) as f:
            return json.load(f)
    summary_path = os.path.join(folder, "summary.json")
    if os.path.exists(summary_path):
        model, summary, _ = load_model(folder)
    else:
        model, summary = training.train(
            method,
            DATASET,
            data_dir,
            size=size,
            output_dir=folder,
            cache_dir=cache_dir,
            seed=seed,
            resume=os.path.exists(os.path.join(folder, "run.json")),
            tensorboard=False,
            verbose=verbose,
            log=log,
            **overrides,
        )
    data, info = evaluation.evaluation_batches(
        DATASET,
        data_dir,
        "test",
        batch_size=summary["config"]["batch_size"],
        seed=seed,
        cache_dir=cache_dir,
        tokenizer=model.tokenizer,
    )
    log(f"[kvc] {method} seed {seed}: IW-NLL with K = {num_samples} on {info}")
    result = evaluation.evaluate(model, data, num_samples=num_samples, seed=seed)
    report = summary.get("method_report") or {}
    schedule = summary.get("schedule") or {}
    row = {
        "method": method,
        "seed": seed,
        **{k: result[k] for k in ("iw_nll", "kl", "mi_batch", "mi_dataset", "au")},
        "mi_batch_size": result["mi_batch_size"],
        "num_samples": num_samples,
        "test_examples": info["num_examples"],
        "aggressive_steps": report.get("aggressive_steps"),
        "inner_steps": report.get("inner_steps"),
        "epochs": summary["epochs_trained"],
        "best_epoch": None
        if schedule.get("best_epoch") is None
        else schedule["best_epoch"] + 1,
        "train_seconds": summary["train_seconds"],
        "folder": folder,
    }
    with open(row_path, "w") as f:
        json.dump(row, f, indent=2)
    return row


def run_table(methods=ROWS, seeds=(0, 1, 2), **kwargs):
    """`run_row` for every method and seed (methods outer); returns the rows
    with `ratio`: training time over the same seed's VAE (None without one)."""
    rows = [run_row(m, s, **kwargs) for m in methods for s in seeds]
    return with_ratios(rows)


def with_ratios(rows, baseline="vae"):
    vae = {r["seed"]: r["train_seconds"] for r in rows if r["method"] == baseline}
    return [
        {
            **r,
            "ratio": r["train_seconds"] / vae[r["seed"]] if r["seed"] in vae else None,
        }
        for r in rows
    ]


def _cell(value, fmt):
    return "-" if value is None else format(value, fmt)


def format_table(rows):
    """A markdown table: one line per run, then the mean over seeds per method."""
    header = "| method | seed | " + " | ".join(c[1] for c in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for r in rows:
        cells = [_cell(r.get(k), fmt) for k, _, fmt in COLUMNS]
        lines.append(f"| {r['method']} | {r['seed']} | " + " | ".join(cells) + " |")
    for method in dict.fromkeys(r["method"] for r in rows):
        group = [r for r in rows if r["method"] == method]
        cells = []
        for key, _, fmt in COLUMNS:
            values = [r.get(key) for r in group]
            cells.append("-" if None in values else format(float(np.mean(values)), fmt))
        lines.append(f"| {method} | mean | " + " | ".join(cells) + " |")
    return "\n".join(lines)
