"""Publishing a trained run as a zoo model (behind scripts/publish.py).

`publish` turns a kvc-train run folder, the JSON that kvc-evaluate wrote for
the run's stored weights, and a hand-written recipe draft (commands, the
paper's numbers, limitations) into `saved_models/<name>/` (the preset, the
`serving/1` encoder, a generated model card, metadata with every file's
SHA-256 and the measured metrics) and the recipe `zoo/<name>.json`. Metrics
are copied from the evaluation JSON, never typed: the evaluation must name
the checksum of the weights it scored, and it must equal the run's.
"""

import json
import os
import shutil
import tempfile

import numpy as np

from keras_vae_collapse.version import __version__
from keras_vae_collapse.zoo.model_card import model_card
from keras_vae_collapse.zoo.preset_io import (
    CARD,
    CONFIG,
    METADATA,
    WEIGHTS,
    ZooError,
    load_preset,
    read_metadata,
    sha256,
    verify_preset,
)

#: The evaluation keys a zoo model's `test_metrics` keep.
METRIC_KEYS = (
    "iw_nll",
    "perplexity",
    "iw_nll_unscaled",
    "perplexity_unscaled",
    "kl",
    "mi_batch",
    "mi_dataset",
    "mi_batch_size",
    "au",
    "aggregate_kl",
    "num_samples",
    "num_examples",
    "split",
    "split_examples",
    "subset_seed",
    "seed",
    "iw_bounds",
)
#: What a recipe draft must give by hand (see zoo/README.md).
DRAFT_KEYS = ("command", "evaluate_command")
SERVING = "serving"
#: The sub-folder of the recipes folder with the drafts of models in training.
DRAFTS = "drafts"
#: Keys of a recipe that publishing writes (a draft's are dropped).
_MEASURED = ("test_metrics", "representation", "artifacts", "not_shipped_because")


def _read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError as error:
        raise ZooError(f"{what}: no file {path}") from error
    except json.JSONDecodeError as error:
        raise ZooError(f"{what}: {path} is not valid JSON: {error}") from error


def test_metrics(evaluation):
    """The zoo's `test_metrics`: the kvc-evaluate keys of `METRIC_KEYS`."""
    return {k: evaluation[k] for k in METRIC_KEYS if k in evaluation}


def publish(
    run_dir,
    name,
    evaluation,
    draft=None,
    probe=None,
    saved_models=None,
    recipes=None,
    commit=None,
    overwrite=False,
    not_shipped_because=None,
    log=print,
):
    """Writes zoo model `name` from a finished run; returns its folder.

    With `not_shipped_because` (a table row trained but not shipped), only
    the recipe is written: the same measured metrics and run facts, with
    `"artifacts": null` and the reason; nothing goes to `saved_models/` and
    None is returned.

    Args:
        run_dir: a kvc-train output folder (`model/` and `summary.json`).
        name: the zoo name, e.g. `"yelp_scale_vae"`.
        evaluation: kvc-evaluate's JSON (dict or path) for `run_dir`; its
            `weights_sha256` must be the run's weights.
        draft: the recipe draft (dict or path; default: the draft
            `zoo/drafts/<name>.json`, else the recipe `zoo/<name>.json`):
            `command`,
            `evaluate_command`, optionally `probe_command`, `paper` (the
            paper's numbers, with `source` and `note`), `limitations`.
        probe: optional linear-probe row (`reproduce/short_yelp_table.py`).
        saved_models: the folder of zoo models (default `saved_models_dir()`).
        recipes: the folder of recipes (default `recipes_dir()`).
        commit: the git commit the run was trained with, when its metadata
            does not record one (a run from a source snapshot).
        overwrite: replace an existing zoo model of that name.
        not_shipped_because: write only the recipe, saying why.
    """
    from keras_vae_collapse.export import export_encoder
    from keras_vae_collapse.training.trainer import RUN_MODEL
    from keras_vae_collapse.zoo.model_store import recipes_dir, saved_models_dir

    if isinstance(evaluation, str):
        evaluation = _read_json(evaluation, "evaluation")
    recipes = recipes or recipes_dir()
    if draft is None:  # the draft written before training, else the recipe
        draft = os.path.join(recipes, DRAFTS, f"{name}.json")
        if not os.path.exists(draft):
            draft = os.path.join(recipes, f"{name}.json")
    if isinstance(draft, str):
        draft = _read_json(draft, "recipe draft")
    draft = {k: v for k, v in draft.items() if k not in _MEASURED}
    if isinstance(probe, str):
        probe = _read_json(probe, "probe")
    missing = [k for k in DRAFT_KEYS if not draft.get(k)]
    if missing:
        raise ZooError(f"the recipe draft lacks {', '.join(missing)}")
    source = os.path.join(run_dir, RUN_MODEL)
    if not os.path.isdir(source):
        raise ZooError(f"{run_dir} has no {RUN_MODEL}/ (the run has not finished)")
    meta = verify_preset(source)
    scored = evaluation.get("weights_sha256")
    if scored != meta["sha256"][WEIGHTS]:
        raise ZooError(
            f"the evaluation scored weights {scored}, not the run's "
            f"{meta['sha256'][WEIGHTS]}: evaluate {run_dir} with kvc-evaluate"
        )
    recorded = meta.get("git_commit")
    if recorded and commit and not recorded.startswith(commit):
        raise ZooError(f"the run records commit {recorded}, not {commit}")
    commit = recorded or commit
    if commit is None:
        raise ZooError("the run records no git commit: pass the one it ran from")
    if not_shipped_because is not None:
        shipped = os.path.join(saved_models or saved_models_dir(), name)
        if os.path.exists(os.path.join(shipped, METADATA)):
            raise ZooError(
                f"{shipped} is a shipped model: remove it before publishing "
                f"{name} as a row that is not shipped"
            )
        return _write_recipe_only(
            run_dir,
            name,
            meta,
            draft,
            evaluation,
            probe,
            commit,
            recipes,
            not_shipped_because,
            overwrite,
            log,
        )
    saved_models = saved_models or saved_models_dir()
    folder = os.path.join(saved_models, name)
    if os.path.exists(folder) and not overwrite:
        raise ZooError(f"{folder} exists (pass overwrite=True to replace it)")
    summary_path = os.path.join(run_dir, "summary.json")
    summary = _read_json(summary_path, "run summary")

    os.makedirs(saved_models, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}-", dir=saved_models)
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        model = load_preset(staging)
        _drop_training_state(model, staging)
        log(f"[kvc] exporting the encoder of {name}")
        export_encoder(model, staging, SERVING, 1)
        facts = {
            **{k: v for k, v in meta.items() if k != "sha256"},
            "name": name,
            "git_commit": commit,
            "published_with": __version__,
            "scored_weights_sha256": scored,
            "epochs_trained": summary.get("epochs_trained"),
            "learning_rate_schedule": summary.get("schedule"),
            "test_metrics": test_metrics(evaluation),
        }
        if probe is not None:
            facts["representation"] = probe
        recipe = {
            **_recipe_head(draft, name, meta, commit),
            "artifacts": f"saved_models/{name}",
            "test_metrics": facts["test_metrics"],
        }
        if probe is not None:
            recipe["representation"] = probe
        with open(os.path.join(staging, CARD), "w") as f:
            f.write(model_card(facts, recipe))
        facts["sha256"] = {
            rel: sha256(os.path.join(staging, rel)) for rel in _all_files(staging)
        }
        with open(os.path.join(staging, METADATA), "w") as f:
            json.dump(facts, f, indent=2)
        verify_preset(staging)
        if os.path.exists(folder):
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    _write_recipe(recipes, name, recipe)
    log(f"[kvc] published {folder} and {recipes}/{name}.json")
    return folder


def _recipe_head(draft, name, meta, commit):
    """The draft plus the run's facts that every recipe records."""
    return {
        **draft,
        "name": name,
        "dataset": meta["dataset"],
        "config": meta["config_size"],
        "method": meta["method"],
        "seed": meta["seed"],
        "git_commit": commit,
    }


def _write_recipe(recipes, name, recipe):
    os.makedirs(recipes, exist_ok=True)
    with open(os.path.join(recipes, f"{name}.json"), "w") as f:
        json.dump(recipe, f, indent=2)
        f.write("\n")


def _write_recipe_only(
    run_dir,
    name,
    meta,
    draft,
    evaluation,
    probe,
    commit,
    recipes,
    reason,
    overwrite,
    log,
):
    """The recipe of a run that is measured but not shipped."""
    if not str(reason).strip():
        raise ZooError("not_shipped_because must say why")
    path = os.path.join(recipes, f"{name}.json")
    if os.path.exists(path) and not overwrite:
        raise ZooError(f"{path} exists (pass overwrite=True to replace it)")
    summary = _read_json(os.path.join(run_dir, "summary.json"), "run summary")
    recipe = {
        **_recipe_head(draft, name, meta, commit),
        "steps": meta.get("steps"),
        "train_seconds": meta.get("train_seconds"),
        "epochs_trained": summary.get("epochs_trained"),
        "scored_weights_sha256": evaluation.get("weights_sha256"),
        "artifacts": None,
        "not_shipped_because": str(reason),
        "test_metrics": test_metrics(evaluation),
    }
    if probe is not None:
        recipe["representation"] = probe
    _write_recipe(recipes, name, recipe)
    log(f"[kvc] wrote the recipe {path} (not shipped: {reason})")
    return None


def _drop_training_state(model, folder):
    """Rewrites the preset in `folder` without the optimizer's state and the
    compile config: the same model weights (so the evaluation of the run's
    file holds), a third of the size for Adam, and `zoo.load` gives an
    uncompiled model. The features are checked to be unchanged."""
    before = [w.numpy() for w in model.weights]
    model.optimizer = None
    model.save_weights(os.path.join(folder, WEIGHTS))
    path = os.path.join(folder, CONFIG)
    with open(path) as f:
        config = json.load(f)
    config.pop("compile_config", None)
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    reloaded = load_preset(folder, verify=False)
    after = [w.numpy() for w in reloaded.weights]
    if len(before) != len(after) or not all(
        np.array_equal(a, b) for a, b in zip(before, after, strict=True)
    ):
        raise ZooError("the weights changed when the optimizer state was dropped")


def _all_files(folder):
    out = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(root, n), folder).replace(os.sep, "/")
            if rel != METADATA:
                out.append(rel)
    return out


def check_published(folder, recipe):
    """Checks a published zoo model against its recipe: checksums (serving/
    included), the metrics, and that the encoder loads and gives finite
    features. Returns the metadata."""
    meta = read_metadata(folder)
    if not any(k.startswith(SERVING + "/") for k in meta["sha256"]):
        raise ZooError(f"{folder}: metadata.json lists no {SERVING}/ files")
    verify_preset(folder, meta)
    if meta.get("test_metrics") != recipe.get("test_metrics"):
        raise ZooError(
            f"{folder}: metadata.json's test_metrics differ from the recipe's"
        )
    if not np.all(np.isfinite([meta["test_metrics"]["iw_nll"]])):
        raise ZooError(f"{folder}: its IW-NLL is not finite")
    return meta
