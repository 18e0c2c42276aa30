"""scripts/train.py: kill the process mid-run, resume, and end in the same
state as an uninterrupted run with the same seed."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np

import keras_vae_collapse as kvc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def command(output_dir, cache_dir, *extra):
    return [
        sys.executable,
        os.path.join(ROOT, "scripts", "train.py"),
        "--dataset=synthetic",
        "--method=scale-vae(1.0)",  # has epoch state (the running factor)
        "--epochs=4",
        "--steps_per_epoch=40",
        "--eval_batches=2",
        "--set=embedding_dim=16,hidden_dim=16",
        "--verbose=2",
        "--seed=3",
        f"--output_dir={output_dir}",
        f"--cache_dir={cache_dir}",
        *extra,
    ]


ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    cache = str(tmp_path / "cache")
    straight = tmp_path / "straight"
    done = subprocess.run(
        command(straight, cache), env=ENV, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]

    interrupted = tmp_path / "interrupted"
    process = subprocess.Popen(
        command(interrupted, cache),
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = interrupted / "checkpoint.json"
    deadline = time.time() + 600
    while not state.exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with open(state) as f:
        epochs_done = json.load(f)["epochs_done"]
    assert 1 <= epochs_done < 4, "the kill must land mid-run"
    assert not (interrupted / "summary.json").exists()

    resumed = subprocess.run(
        command(interrupted, cache, "--resume"),
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming after epoch {epochs_done}" in resumed.stdout + resumed.stderr
    # The last checkpoint holds everything (optimizer included); the final
    # model is the preset folder model/ with the same weights.
    a = keras.saving.load_model(straight / "checkpoint.keras")
    b = keras.saving.load_model(interrupted / "checkpoint.keras")
    final = kvc.models.VAE.from_preset(str(interrupted / "model"))
    for wa, wb in zip(b.weights, final.weights, strict=True):
        np.testing.assert_array_equal(wa.numpy(), wb.numpy())
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_allclose(wa.numpy(), wb.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(
        a.scale.current_factor().numpy(), b.scale.current_factor().numpy()
    )
    assert int(a.kl_step.numpy()) == int(b.kl_step.numpy()) == 160
    for wa, wb in zip(a.optimizer.variables, b.optimizer.variables, strict=True):
        np.testing.assert_allclose(wa.numpy(), wb.numpy(), rtol=1e-6, atol=1e-7)
    with (
        open(straight / "summary.json") as f1,
        open(interrupted / "summary.json") as f2,
    ):
        s1, s2 = json.load(f1), json.load(f2)
    assert s2["resumed_after_epoch"] == epochs_done
    assert s1["test"] == s2["test"]
    assert os.listdir(interrupted / "logs")  # TensorBoard logs


def test_bad_flags_give_one_clear_line(tmp_path):
    options = dict(env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs = []
    for flag, message in [
        ("--set=hidden=3", "neither a hyperparameter"),
        ("--resume", "--resume needs --output_dir"),
        ("--config=gpu", "config"),
        ("--method=magic", "unknown method"),
        ("--method=bn-vae --set=gamma=-1.0", "gamma must be > 0"),
        ("--set=oops", "key=value"),
        ("--strategy=multi_worker", "needs TF_CONFIG"),
    ]:
        args = [
            sys.executable,
            os.path.join(ROOT, "scripts", "train.py"),
            *flag.split(),
        ]
        # all at once: each process mostly waits on its imports
        runs.append((flag, message, subprocess.Popen(args, **options)))
    for flag, message, process in runs:
        _, stderr = process.communicate()
        assert process.returncode != 0
        assert message in stderr, (flag, stderr[-500:])
        assert "Traceback" not in stderr
