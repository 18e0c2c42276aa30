import json
import os
import time

import keras
import numpy as np

#: File names of a run folder's last checkpoint.
CHECKPOINT = "checkpoint.keras"
STATE = "checkpoint.json"


def _best_file(epoch):
    return f"best-epoch-{epoch + 1}.npz"


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizers, KL step, method state, RNG
    states, tokenizer) and the finished-epoch count after every epoch,
    atomically: an interrupted run resumes from the last finished epoch.

    With a `schedule` (`callbacks.LearningRateDecay`), its state goes into
    the same `checkpoint.json` and its best weights into `best-epoch-N.npz`.
    `checkpoint.json` is written last and names the files it belongs to, so
    a run killed at any point resumes from one consistent epoch.

    Args:
        directory: the run folder.
        schedule: optional `LearningRateDecay` whose state to save.
        seconds_before: training time of the run's earlier processes (a
            resumed run); `checkpoint.json` records the total.
    """

    def __init__(self, directory, schedule=None, seconds_before=0.0):
        super().__init__()
        self.directory = directory
        self.schedule = schedule
        self.seconds_before = float(seconds_before)
        self._start = time.perf_counter()

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def train_seconds(self):
        """Training wall time of the run so far, earlier processes included."""
        return self.seconds_before + time.perf_counter() - self._start

    def _replace(self, name, write):
        path = os.path.join(self.directory, name)
        temporary = f"{path}.tmp-{os.getpid()}"
        write(temporary)
        os.replace(temporary, path)

    def _save_model(self, path):
        self.model.save(path + ".keras")  # Keras wants the suffix
        os.replace(path + ".keras", path)

    def on_epoch_end(self, epoch, logs=None):
        self._replace(CHECKPOINT, self._save_model)
        state = {
            "epochs_done": epoch + 1,
            "logs": {k: float(v) for k, v in (logs or {}).items()},
            "train_seconds": self.train_seconds(),
        }
        if self.schedule is not None:
            state["schedule"] = self.schedule.get_state()
            best = self.schedule.best_weights
            if best is not None:
                name = _best_file(self.schedule.best_epoch)
                state["schedule"]["best_weights_file"] = name
                if not os.path.exists(os.path.join(self.directory, name)):
                    self._replace(name, lambda p: _save_arrays(p, best))
        self._replace(STATE, lambda p: _write_json(p, state))
        self._remove_stale_best_files(state.get("schedule", {}))

    def _remove_stale_best_files(self, schedule_state):
        keep = schedule_state.get("best_weights_file")
        for name in os.listdir(self.directory):
            if (
                name.startswith("best-epoch-")
                and name.endswith(".npz")
                and name != keep
            ):
                os.remove(os.path.join(self.directory, name))


def _save_arrays(path, arrays):
    with open(path, "wb") as f:
        np.savez(f, *arrays)


def _write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)


def load_schedule_state(directory, state, schedule):
    """Restores `schedule` from a checkpoint's state (see EpochCheckpoint)."""
    saved = state.get("schedule")
    if saved is None:
        return
    weights = None
    name = saved.get("best_weights_file")
    if name:
        with np.load(os.path.join(directory, name)) as arrays:
            weights = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    schedule.set_state(saved, weights)
