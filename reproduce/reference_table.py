"""The main job's table at the reference schedule, with time ratios.

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

Two row sets: `ROWS`, the main job's table with the rows the papers compare
against (`scripts/reference_table.py`), and `AGG_ROWS`, what aggressive
training costs and keeps (`benchmarks/agg_vae_cost.py`, issue 15).
"""

import json
import os
import re

import numpy as np

DATASET = "synthetic_he2019"
#: The main job's rows: the VAE, both Agg-VAE settings, the decoder alone
#: (exact NLL: the floor of every VAE row) and the other rows of He et al.'s
#: and Song et al.'s tables.
ROWS = (
    "vae",
    "agg-vae-ref",
    "agg-vae",
    "lstm-lm",
    "sa-vae",
    "sa-vae+anneal",
    "skip-vae",
    "mae",
)
#: The Agg-VAE cost table: VAE and the two Agg-VAE settings, each without and
#: with He et al.'s KL annealing.
AGG_ROWS = (
    "vae",
    "vae+anneal",
    "agg-vae-ref",
    "agg-vae",
    "agg-vae-ref+anneal",
    "agg-vae+anneal",
)
COLUMNS = (
    ("iw_nll", "NLL", ".2f"),
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
        # what the NLL column is: an importance-weighted bound, or exact
        "nll_kind": result["iw_bounds"]["iw_nll"],
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


def _exact(row):
    return str(row.get("nll_kind", "")).startswith("exact")


def format_table(rows):
    """A markdown table: one line per run, then the mean over seeds per
    method. NLL is the IW-NLL bound, or, marked "(exact)", a model's exact
    NLL (no latent)."""
    header = "| method | seed | " + " | ".join(c[1] for c in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for r in rows:
        cells = [_cell(r.get(k), fmt) for k, _, fmt in COLUMNS]
        if _exact(r):
            cells[0] += " (exact)"
        lines.append(f"| {r['method']} | {r['seed']} | " + " | ".join(cells) + " |")
    for method in dict.fromkeys(r["method"] for r in rows):
        group = [r for r in rows if r["method"] == method]
        cells = []
        for key, _, fmt in COLUMNS:
            values = [r.get(key) for r in group]
            cells.append("-" if None in values else format(float(np.mean(values)), fmt))
        if all(_exact(r) for r in group):
            cells[0] += " (exact)"
        lines.append(f"| {method} | mean | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def define_flags(rows, module_name):
    """The command-line flags of a table script (`module_name`, for its
    `--help`) whose default rows are `rows` (`scripts/reference_table.py`,
    `benchmarks/agg_vae_cost.py`)."""
    import sys

    from absl import flags

    from keras_vae_collapse.cli.common import define_spec_list

    # absl files a script's own flags under its path, not "__main__"
    own = {"module_name": sys.argv[0] if module_name == "__main__" else module_name}
    define_spec_list("methods", list(rows), "Registry specs, one row each.", **own)
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of every row.", **own)
    flags.DEFINE_string(
        "data_dir",
        None,
        "The synthetic_he2019 folder (default: from KVC_DATA_DIR).",
        **own,
    )
    flags.DEFINE_string("output_dir", None, "Folder of the runs and their rows.", **own)
    flags.DEFINE_string(
        "cache_dir", None, "tfds folder of the prepared datasets.", **own
    )
    flags.DEFINE_integer(
        "num_samples", 500, "Importance samples of the IW-NLL.", lower_bound=1, **own
    )
    flags.DEFINE_integer(
        "threads",
        1,
        "CPU threads of TensorFlow's ops (0: all cores).",
        lower_bound=0,
        **own,
    )
    flags.DEFINE_string("output", None, "Optional JSON of the rows.", **own)
    flags.mark_flag_as_required("output_dir")


def main_from_flags(flag_values):
    """Runs (or resumes) the table the flags name and prints it."""
    from absl import app

    from keras_vae_collapse import evaluation
    from keras_vae_collapse.cli.common import data_dir_for, set_threads
    from keras_vae_collapse.models import registry

    set_threads(flag_values.threads)
    try:
        seeds = [int(s) for s in flag_values.seeds]
    except ValueError as error:
        raise app.UsageError(
            f"--seeds must be integers: {flag_values.seeds}"
        ) from error
    for method in flag_values.methods:
        try:
            registry.parse(method)  # a clear error before anything trains
        except ValueError as error:
            raise app.UsageError(str(error)) from error
    data_dir = data_dir_for(DATASET, flag_values.data_dir)
    if data_dir is None or not os.path.isdir(data_dir):
        raise app.UsageError(
            f"no synthetic_he2019 folder ({data_dir!r}): give --data_dir or "
            "KVC_DATA_DIR"
        )
    rows = run_table(
        flag_values.methods,
        seeds,
        data_dir=data_dir,
        output_dir=flag_values.output_dir,
        num_samples=flag_values.num_samples,
        cache_dir=flag_values.cache_dir,
    )
    print(
        f"threads {flag_values.threads}; NLL: IW-NLL with K = "
        f"{flag_values.num_samples} (exact where marked), full test split"
    )
    print(format_table(rows))
    if flag_values.output:
        evaluation.write_json(rows, flag_values.output)
