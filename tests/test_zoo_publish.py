"""Publishing a run as a zoo model: the folder ZOO.md asks for, metrics
copied from kvc-evaluate's JSON of the same weights, checksums that cover
serving/, and the refusals (other weights, no commands, tampering)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_own_text import text_folder
from test_serving_export import fresh_process

import keras_vae_collapse as kvc
from keras_vae_collapse import training, zoo
from keras_vae_collapse.zoo.publish import test_metrics as metrics_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
DRAFT = {
    "command": "kvc-train --dataset=text --method=vae ...",
    "evaluate_command": "kvc-evaluate --model=run --num_samples=5 ...",
    "paper": {"source": "Nobody et al. (made up)", "metrics": {"iw_nll": 1.5}},
    "limitations": "A test model.",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(run folder, data folder, evaluation JSON path) of a tiny trained VAE,
    scored by scripts/evaluate.py."""
    tmp = tmp_path_factory.mktemp("publish")
    data = text_folder(str(tmp / "mine"), train=60, valid=10)
    out = str(tmp / "run")
    training.train(
        "vae",
        "text",
        data,
        output_dir=out,
        epochs=1,
        steps_per_epoch=3,
        cache_dir=str(tmp / "cache"),
        embedding_dim=8,
        hidden_dim=8,
        latent_dim=3,
        tensorboard=False,
        verbose=0,
        log=lambda *a: None,
    )
    evaluation = str(tmp / "eval.json")
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "evaluate.py"),
            f"--model={out}",
            f"--data_dir={data}",
            f"--cache_dir={tmp / 'cache'}",
            "--num_samples=5",
            f"--output={evaluation}",
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, data, evaluation


def test_a_run_becomes_a_zoo_model(run, tmp_path):
    out, _, evaluation = run
    saved, recipes = str(tmp_path / "saved"), str(tmp_path / "zoo")
    draft = str(tmp_path / "draft.json")
    with open(draft, "w") as f:
        json.dump(DRAFT, f)
    probe = {"source": out, "accuracy": {"100": 0.61, "500": 0.7}}
    probe_path = str(tmp_path / "probe.json")
    with open(probe_path, "w") as f:
        json.dump([probe, {"source": "tfidf", "accuracy": {"100": 0.7}}], f)
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "publish.py"),
            f"--run={out}",
            "--name=tiny_vae",
            f"--evaluation={evaluation}",
            f"--draft={draft}",
            f"--probe={probe_path}",
            f"--probe_source={out}",
            f"--saved_models={saved}",
            f"--recipes={recipes}",
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    folder = os.path.join(saved, "tiny_vae")
    with open(os.path.join(recipes, "tiny_vae.json")) as f:
        recipe = json.load(f)
    meta = zoo.check_published(folder, recipe)
    with open(evaluation) as f:
        scored = json.load(f)
    # The metrics are kvc-evaluate's, unchanged, in both places.
    assert meta["test_metrics"]["iw_nll"] == scored["iw_nll"]
    assert meta["test_metrics"]["mi_dataset"] == scored["mi_dataset"]
    assert meta["test_metrics"]["num_samples"] == 5
    assert recipe["command"] == DRAFT["command"] and recipe["dataset"] == "text"
    assert meta["git_commit"] and meta["representation"] == probe
    assert any(k.startswith("serving/1/") for k in meta["sha256"])
    # The card holds the measured numbers beside the paper's, labelled.
    with open(os.path.join(folder, "README.md")) as f:
        card = f.read()
    for heading in ("## Data", "## Architecture", "## Metrics", "## Use"):
        assert heading in card
    assert f"| {scored['iw_nll']:.2f} | 1.50 |" in card
    assert "Nobody et al. (made up)" in card and "| this model | 61.0 | 70.0 |" in card
    # Loading by name, raw text in, and the served encoder agrees.
    # The stored weights are the scored ones without the optimizer's state.
    assert meta["scored_weights_sha256"] == scored["weights_sha256"]
    model = zoo.load("tiny_vae", saved)
    assert not model.compiled
    run_model = zoo.load_preset(os.path.join(out, "model"))
    for a, b in zip(model.weights, run_model.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    texts = ["the cat sat", "Hello,\u00a0world! unseen"]
    mu, logvar = model.encode(texts)
    assert mu.shape == (2, 3) and np.isfinite(mu).all() and np.isfinite(logvar).all()
    ids = model.tokenizer.dense(np.array(texts)).numpy().tolist()
    served = fresh_process(
        os.path.join(folder, "serving", "1"),
        {"kind": "text", "texts": texts, "ids": ids},
    )
    np.testing.assert_allclose(served["z_mean"], mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(served["z_log_var"], logvar, rtol=1e-5, atol=1e-6)
    assert "tiny_vae" in zoo.list_models(saved)


def _args(run, tmp_path, **changes):
    out, _, evaluation = run
    with open(evaluation) as f:
        scored = json.load(f)
    kwargs = dict(
        run_dir=out,
        name="tiny",
        evaluation=scored,
        draft=dict(DRAFT),
        saved_models=str(tmp_path / "saved"),
        recipes=str(tmp_path / "zoo"),
        log=lambda *a: None,
    )
    kwargs.update(changes)
    return kwargs


def test_metrics_of_other_weights_are_refused(run, tmp_path):
    kwargs = _args(run, tmp_path)
    kwargs["evaluation"]["weights_sha256"] = "0" * 64
    with pytest.raises(zoo.ZooError, match="not the run's"):
        zoo.publish(**kwargs)
    del kwargs["evaluation"]["weights_sha256"]
    with pytest.raises(zoo.ZooError, match="evaluate"):
        zoo.publish(**kwargs)
    assert not os.path.exists(tmp_path / "saved" / "tiny")


def test_a_draft_without_commands_is_refused(run, tmp_path):
    with pytest.raises(zoo.ZooError, match="evaluate_command"):
        zoo.publish(**_args(run, tmp_path, draft={"command": "x"}))


def test_serving_files_are_checked_and_a_name_is_not_replaced(run, tmp_path):
    folder = zoo.publish(**_args(run, tmp_path))
    with pytest.raises(zoo.ZooError, match="exists"):
        zoo.publish(**_args(run, tmp_path))
    with open(os.path.join(folder, "serving", "1", "extra.txt"), "w") as f:
        f.write("x")
    with pytest.raises(zoo.ZooError, match="not covered"):
        zoo.verify_preset(folder)
    os.remove(os.path.join(folder, "serving", "1", "extra.txt"))
    zoo.verify_preset(folder)
    with open(os.path.join(folder, "serving", "1", "saved_model.pb"), "ab") as f:
        f.write(b"\0")
    with pytest.raises(zoo.ZooError, match="checksum"):
        zoo.load(folder)
    # A plain preset with an unlisted export beside it still loads.
    kvc.models.VAE.from_preset(os.path.join(run[0], "model"))


def test_a_table_row_writes_only_its_recipe(run, tmp_path):
    kwargs = _args(run, tmp_path, not_shipped_because="a baseline row")
    assert zoo.publish(**kwargs) is None
    assert not os.path.exists(tmp_path / "saved")
    with open(tmp_path / "zoo" / "tiny.json") as f:
        recipe = json.load(f)
    scored = kwargs["evaluation"]
    assert recipe["artifacts"] is None
    assert recipe["not_shipped_because"] == "a baseline row"
    assert recipe["test_metrics"] == metrics_of(scored)
    assert recipe["scored_weights_sha256"] == scored["weights_sha256"]
    assert recipe["steps"] == 3 and recipe["command"] == DRAFT["command"]
    with pytest.raises(zoo.ZooError, match="exists"):
        zoo.publish(**kwargs)
    with pytest.raises(zoo.ZooError, match="say why"):
        zoo.publish(**_args(run, tmp_path, not_shipped_because=" ", overwrite=True))


def test_a_shipped_model_is_not_turned_into_a_table_row(run, tmp_path):
    zoo.publish(**_args(run, tmp_path))
    with pytest.raises(zoo.ZooError, match="shipped model"):
        zoo.publish(**_args(run, tmp_path, not_shipped_because="x", overwrite=True))
