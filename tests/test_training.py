"""Training from configs: every config is valid, and short runs work end to end."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_dataset_builders import omniglot_fixture, write

import keras_vae_collapse as kvc
from keras_vae_collapse import training
from keras_vae_collapse.configs import CONFIGS, get_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("dataset", sorted(CONFIGS))
def test_every_config_builds_its_networks(dataset):
    for size in ("cpu", "paper"):
        config = get_config(dataset, size)
        encoder, decoder, likelihood = training.build_networks(config, vocab_size=50)
        assert encoder.latent_dim == decoder.latent_dim == config["latent_dim"]
    with pytest.raises(ValueError, match="unknown config keys"):
        get_config(dataset, "cpu", hidden=3)
    with pytest.raises(ValueError, match="'paper' or 'cpu'"):
        get_config(dataset, "gpu")


def test_text_training_from_a_config(tmp_path):
    data = tmp_path / "yahoo"
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    docs = [" ".join(rng.choice(words, rng.integers(3, 20))) for _ in range(120)]
    write(str(data / "val.txt"), docs[:100])
    write(str(data / "test.txt"), docs[100:])
    model, summary = training.train(
        "agg-vae",
        "yahoo",
        str(data),
        # small inner loop, no XLA: the subject is the driver, not the method
        hyperparameters={"max_inner_steps": 3, "window": 2, "jit_steps": False},
        output_dir=str(tmp_path / "run"),
        epochs=1,
        steps_per_epoch=3,
        cache_dir=str(tmp_path / "cache"),
        embedding_dim=8,
        hidden_dim=8,
        latent_dim=2,
        verbose=0,
        log=lambda *a: None,
    )
    assert summary["steps"] == 3 and summary["test"]["examples"] == 20
    for key in ("neg_elbo", "kl", "mi_batch", "mi_dataset"):
        assert np.isfinite(summary["test"][key])
    with open(tmp_path / "run" / "summary.json") as f:
        assert json.load(f)["method"].startswith("agg-vae(")
    # The final model is a preset with the tokenizer inside: raw strings work.
    loaded = kvc.models.AggressiveVAE.from_preset(str(tmp_path / "run" / "model"))
    assert loaded.preset_metadata["dataset"] == "yahoo"
    np.testing.assert_array_equal(
        loaded.encode(["w1 w2 w3"])[0], model.encode(["w1 w2 w3"])[0]
    )


def test_train_script_on_omniglot_files(tmp_path):
    omniglot_fixture(str(tmp_path / "omniglot"), characters=(2, 2))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [
        sys.executable,
        os.path.join(ROOT, "scripts", "train.py"),
        "--method=bn-vae",
        "--set=gamma=0.7",
        "--dataset=omniglot",
        f"--data_dir={tmp_path / 'omniglot'}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--eval_batches=1",
        f"--output_dir={tmp_path / 'run'}",
        f"--cache_dir={tmp_path / 'cache'}",
        "--strategy=mirrored",  # one CPU: one replica, through the strategy path
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(tmp_path / "run" / "summary.json") as f:
        summary = json.load(f)
    assert summary["steps"] == 2
    assert summary["config"]["architecture"] == "resnet_pixelcnn"
    assert summary["method"] == "bn-vae(gamma=0.7)"
    assert summary["hyperparameters"] == {"gamma": 0.7}
    assert summary["test"]["au"] >= 0
    bad = subprocess.run(
        command[:2] + ["--dataset=mnist"], env=env, capture_output=True, text=True
    )
    assert bad.returncode != 0 and "mnist" in bad.stderr
    assert kvc.datasets.BUILDERS  # the script's choices come from here


def test_libi_and_method_hyperparameters_through_the_train_script(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "train.py"),
            "--method=libi",
            "--dataset=synthetic",
            "--epochs=2",
            "--steps_per_epoch=2",
            "--eval_batches=1",
            "--set=embedding_dim=8,hidden_dim=8,num_prior_samples=8,chunk_size=4,"
            "likelihood_epochs=1,inference_epochs=1,schedule.min_epoch=0",
            f"--output_dir={tmp_path / 'run'}",
            f"--cache_dir={tmp_path / 'cache'}",
            "--verbose=2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with open(tmp_path / "run" / "summary.json") as f:
        summary = json.load(f)
    assert summary["method_entry"] == "libi"
    assert summary["hyperparameters"]["num_prior_samples"] == 8
    assert summary["config"]["embedding_dim"] == 8
    assert summary["config"]["schedule"]["min_epoch"] == 0
    model = kvc.models.LiBI.from_preset(str(tmp_path / "run" / "model"))
    assert model.stage == 2 and model.num_prior_samples == 8


def _tiny_yahoo(folder):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    docs = [" ".join(rng.choice(words, rng.integers(3, 20))) for _ in range(120)]
    for name in ("train.txt", "val.txt"):
        write(str(folder / name), docs[:100])
    write(str(folder / "test.txt"), docs[100:])
    return str(folder)


def test_steps_per_execution_trains_the_same_weights(tmp_path):
    """Config key steps_per_execution: N steps per call of the compiled train
    function train on the same batches with the same dropout and z draws as
    one step per call, to the bit.
    (Over several epochs the two differ: with one step per call Keras ends
    a validation pass of unknown length with a call that fails on the
    iterator after the sampling seed's update has run, one draw that the
    loop of N steps does not make.) Agg-VAE,
    which reads its own inner batches, runs one outer step per call and says
    so."""
    data = _tiny_yahoo(tmp_path / "yahoo")

    def train(method, spe, name, **kwargs):
        return training.train(
            method,
            "yahoo",
            data,
            output_dir=str(tmp_path / name),
            epochs=1,
            cache_dir=str(tmp_path / "cache"),
            embedding_dim=8,
            hidden_dim=8,
            latent_dim=2,
            batch_size=16,
            steps_per_execution=spe,
            tensorboard=False,
            verbose=0,
            log=lambda *a: None,
            **kwargs,
        )

    one, summary = train("vae", 1, "one")
    three, summary3 = train("vae", 3, "three")
    assert summary["steps"] == summary3["steps"]
    # 3 does not divide the epoch's steps: calls of their largest divisor <= 3
    assert summary["steps"] % 3 and three.steps_per_execution > 1
    assert three.steps_per_execution == training.trainer.steps_per_call(
        3, summary["steps"]
    )
    for a, b in zip(one.weights, three.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    with pytest.warns(UserWarning, match="steps_per_execution is ignored"):
        train(
            "agg-vae",
            4,
            "agg",
            hyperparameters={"max_inner_steps": 2, "window": 1, "jit_steps": False},
        )
    with pytest.raises(ValueError, match="steps_per_execution"):
        get_config("yahoo", "cpu", steps_per_execution=0)
    # Calls end with the epoch: the largest divisor of its steps.
    assert [training.trainer.steps_per_call(32, n) for n in (1000, 4577, 7)] == [
        25,
        23,
        7,
    ]
    assert training.trainer.steps_per_call(1, 1000) == 1
