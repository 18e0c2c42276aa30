"""Run folders cannot be corrupted: non-empty folders, --resume of another
run, a second writer, an unwritable folder."""

import json
import os
import subprocess
import sys

import pytest

from keras_vae_collapse.training import RunFolder, RunFolderError

RECORD = {"method": "vae", "dataset": "synthetic", "config": {"epochs": 3}, "seed": 0}


def test_a_new_run_refuses_a_non_empty_folder_unless_overwrite(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "summary.json").write_text("{}")
    with (
        RunFolder(tmp_path) as folder,
        pytest.raises(RunFolderError, match="--overwrite"),
    ):
        folder.open(RECORD)
    with RunFolder(tmp_path) as folder:
        assert folder.open(RECORD, overwrite=True) is None
    assert sorted(os.listdir(tmp_path)) == [".lock", "run.json"]
    assert json.loads((tmp_path / "run.json").read_text()) == RECORD


def test_resume_refuses_another_run_and_names_the_difference(tmp_path):
    with RunFolder(tmp_path) as folder:
        folder.open(RECORD)
    other = dict(RECORD, method="bn-vae(gamma=0.7)", config={"epochs": 9, "x": 1})
    with RunFolder(tmp_path) as folder, pytest.raises(RunFolderError) as error:
        folder.open(other, resume=True)
    message = str(error.value)
    assert "method: 'vae' -> 'bn-vae(gamma=0.7)'" in message
    assert "config.x" in message and "epochs" not in message  # a maximum
    (tmp_path / "checkpoint.json").write_text('{"epochs_done": 2}')
    with RunFolder(tmp_path) as folder:  # the same run, more epochs: fine
        state = folder.open(dict(RECORD, config={"epochs": 5}), resume=True)
    assert state == {"epochs_done": 2}
    # A run recorded before a config key existed had its default value.
    with RunFolder(tmp_path) as folder:
        config = {"epochs": 3, "steps_per_execution": 1, "jit_compile": False}
        assert folder.open(dict(RECORD, config=config), resume=True)
    with RunFolder(tmp_path) as folder, pytest.raises(RunFolderError) as error:
        folder.open(dict(RECORD, config={"steps_per_execution": 4}), resume=True)
    assert "config.steps_per_execution: 1 -> 4" in str(error.value)


LOCKER = """
import sys, time
from keras_vae_collapse.training.run_folder import RunFolder
folder = RunFolder(sys.argv[1])
folder.open({"method": "vae"})
print("locked", flush=True)
time.sleep(30)
"""


def test_a_second_writer_is_refused(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "locked"
        with (
            RunFolder(tmp_path) as folder,
            pytest.raises(RunFolderError, match="another process"),
        ):
            folder.open(RECORD, resume=True)
    finally:
        process.kill()
        process.wait()
    with RunFolder(tmp_path) as folder:  # the lock died with its process
        folder.open(RECORD, overwrite=True)


def test_an_unwritable_folder_fails_before_training(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")  # a folder cannot be made inside a file, even by root
    with (
        RunFolder(blocker / "run") as folder,
        pytest.raises(RunFolderError, match="not writable"),
    ):
        folder.open(RECORD)
