"""The model card of a zoo model, written from its metadata and recipe.

Every number in it comes from the metadata (what kvc-train and kvc-evaluate
measured) or, labelled as the paper's, from the recipe's `paper` entry.
"""

import json

#: Rows of the metrics table: (key in test_metrics / paper metrics, label).
_METRICS = (
    ("iw_nll", "IW-NLL (nats per example)"),
    ("perplexity", "perplexity"),
    ("iw_nll_unscaled", "IW-NLL, `iw_nll_unscaled` (nats)"),
    ("perplexity_unscaled", "perplexity, `perplexity_unscaled`"),
    ("kl", "KL, posterior to prior"),
    ("mi_batch", "MI, He et al.'s batch estimator"),
    ("mi_dataset", "MI, whole-split estimator"),
    ("au", "active units"),
    ("aggregate_kl", "KL, aggregate posterior to prior"),
)


def _number(value):
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"


def _first_paragraph(text):
    return " ".join((text or "").strip().split("\n\n")[0].split())


def _architecture(facts):
    from keras_vae_collapse.configs import get_config

    ours = facts.get("config", {})
    try:
        paper = get_config(facts["dataset"], "paper")
    except (KeyError, ValueError):
        paper = {}
    lines = ["| setting | this model | the paper's config |", "|---|---|---|"]
    for key in sorted(k for k in ours if k != "notes"):
        value = ours[key]
        other = paper.get(key, "-")
        mark = "" if other == value else " (differs)"
        lines.append(f"| {key} | `{json.dumps(value)}` | `{json.dumps(other)}`{mark} |")
    if ours.get("notes"):
        lines += [
            "",
            f"What the `{facts.get('config_size')}` config shrinks: {ours['notes']}",
        ]
    return "\n".join(lines)


def _metrics(metrics, paper):
    source = paper.get("source", "the paper")
    theirs = paper.get("metrics", {})
    lines = [f"| metric | this model | {source} |", "|---|---|---|"]
    for key, label in _METRICS:
        if key in metrics or key in theirs:
            lines.append(
                f"| {label} | {_number(metrics.get(key))} | "
                f"{_number(theirs.get(key))} |"
            )
    return "\n".join(lines)


def _probe(row, paper):
    sizes = list(row["accuracy"])
    theirs = paper.get("probe", {})
    lines = [
        "| labelled sentences | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
        "| this model | "
        + " | ".join(f"{100 * row['accuracy'][n]:.1f}" for n in sizes)
        + " |",
    ]
    if theirs:
        lines.append(
            f"| {paper.get('source', 'the paper')} | "
            + " | ".join(_number(theirs.get(n)) for n in sizes)
            + " |"
        )
    return "\n".join(lines)


def model_card(facts, recipe):
    """The card (markdown) of a zoo model: `facts` is its metadata, `recipe`
    its recipe (commands, the paper's numbers, limitations)."""
    from keras_vae_collapse.datasets import BUILDERS
    from keras_vae_collapse.models import registry

    name = facts["name"]
    entry = registry.parse(facts["method"]).method
    dataset = facts["dataset"]
    builder = BUILDERS.get(dataset)
    metrics = facts["test_metrics"]
    paper = recipe.get("paper", {})
    used = (
        f"{metrics.get('num_examples')} of the {metrics.get('split_examples')} "
        f"{metrics.get('split')} examples"
        + (
            f" (a fixed random subset, seed {metrics['subset_seed']})"
            if metrics.get("subset_seed") is not None
            else ""
        )
        + f", {metrics.get('num_samples')} importance samples"
    )
    seconds = facts.get("train_seconds") or 0.0
    schedule = facts.get("learning_rate_schedule") or {}
    best = schedule.get("best_epoch")  # counted from 0 in the state
    text = getattr(builder, "MODALITY", "text") == "text"
    example = (
        'z_mean, z_log_var = model.encode(["the food was great ."])'
        if text
        else "z_mean, z_log_var = model.encode(images)  # float32 [B, H, W, C]"
    )
    request = (
        '{"instances": ["the food was great ."]}'
        if text
        else '{"instances": [<one image as nested lists>]}'
    )
    out = [
        f"# {name}",
        "",
        f"A `{facts['method']}` model ({entry.paper}; {entry.row}) trained on "
        f"`{dataset}` with the `{facts['config_size']}` config, for "
        "representation features: `encode` gives the posterior mean and log "
        "variance of a sentence or image.",
        "",
        "## Data",
        "",
        _first_paragraph(builder.__doc__ if builder else ""),
        f"Trained on the train split; selected on the validation split's "
        f"beta = 1 ELBO; scored on {used}.",
        "",
        "## Architecture",
        "",
        f"{facts.get('class_name')} with {facts.get('parameter_count')} "
        f"parameters; hyperparameters `{json.dumps(facts.get('hyperparameters'))}`, "
        f"KL schedule `{facts.get('kl_schedule')}`. The config against the "
        "paper-size config of the same dataset:",
        "",
        _architecture(facts),
        "",
        "## Training and evaluation",
        "",
        "```sh",
        recipe["command"],
        recipe["evaluate_command"],
        *([recipe["probe_command"]] if recipe.get("probe_command") else []),
        "```",
        "",
        f"Seed {facts.get('seed')}; {facts.get('steps')} steps over "
        f"{facts.get('epochs_trained')} epochs in {seconds / 60:.0f} minutes on "
        f"2 CPU cores; learning-rate decays {schedule.get('decays', 0)}, scored "
        f"checkpoint: epoch {'-' if best is None else best + 1}; commit "
        f"`{facts.get('git_commit')}`, keras_vae_collapse "
        f"{facts.get('keras_vae_collapse_version')}, TensorFlow "
        f"{facts.get('tensorflow_version')}.",
        "",
        "## Metrics",
        "",
        _metrics(metrics, paper),
        "",
        f"Measured by kvc-evaluate on the stored weights, on {used}. MI: the "
        f"batch estimator over batches of {metrics.get('mi_batch_size')} (the "
        "Agg-VAE paper's column), the whole-split estimator (the BN-VAE, "
        "DU-VAE and Scale-VAE papers' column). "
        + "".join(
            f"`{key}` bounds {what}. "
            for key, what in metrics.get("iw_bounds", {}).items()
        )
        + paper.get("note", ""),
    ]
    if facts.get("representation"):
        out += [
            "",
            "## Representation (linear probe)",
            "",
            _probe(facts["representation"], paper),
            "",
            "Test accuracy (%) of a logistic regression on the posterior means, "
            "trained on each labelled subset, its L2 weight chosen on the "
            "validation split.",
        ]
    out += [
        "",
        "## Intended use and limitations",
        "",
        "Features for downstream classifiers and similarity, and a baseline "
        "for posterior-collapse research. Not a production language model: it "
        "is trained at CPU scale on one corpus, and its features carry that "
        "corpus's domain and biases."
        + (f" {recipe['limitations']}" if recipe.get("limitations") else ""),
        "",
        "## Use",
        "",
        "```python",
        "import keras_vae_collapse as kvc",
        "",
        f'model = kvc.zoo.load("{name}")  # checksums verified',
        example,
        "```",
        "",
        "Serving (`serving/1` is a SavedModel; `serving_default` takes raw "
        "text or images and returns `z_mean` and `z_log_var`):",
        "",
        "```sh",
        f"docker run -p 8501:8501 -v $PWD/saved_models/{name}/serving:"
        f"/models/{name} -e MODEL_NAME={name} tensorflow/serving",
        f"curl -d '{request}' localhost:8501/v1/models/{name}:predict",
        "```",
        "",
    ]
    return "\n".join(out)
