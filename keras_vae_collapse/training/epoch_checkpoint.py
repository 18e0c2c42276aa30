import json
import os

import keras

#: File names of a run folder's last checkpoint.
CHECKPOINT = "checkpoint.keras"
STATE = "checkpoint.json"


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (weights, optimizers, KL step, method state, RNG
    states, tokenizer) and the finished-epoch count after every epoch,
    atomically: an interrupted run resumes from the last finished epoch.

    Args:
        directory: the run folder (`checkpoint.keras`, `checkpoint.json`).
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = directory

    def on_epoch_end(self, epoch, logs=None):
        path = os.path.join(self.directory, CHECKPOINT)
        self.model.save(path + ".tmp.keras")
        os.replace(path + ".tmp.keras", path)
        state = {
            "epochs_done": epoch + 1,
            "logs": {k: float(v) for k, v in (logs or {}).items()},
        }
        state_path = os.path.join(self.directory, STATE)
        with open(state_path + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(state_path + ".tmp", state_path)
