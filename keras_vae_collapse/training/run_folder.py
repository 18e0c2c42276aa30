import fcntl
import json
import os
import shutil

from keras_vae_collapse.training.epoch_checkpoint import STATE

#: The record of the command and config a run folder belongs to.
RECORD = "run.json"
LOCK = ".lock"
#: Record keys that may change on --resume (`epochs` is a maximum).
_MAY_CHANGE = ("command", "data_dir", "epochs_max")


class RunFolderError(ValueError):
    """A run folder cannot be used as asked (not writable, locked, another
    run's, not empty)."""


class RunFolder:
    """The output folder of one training run, guarded against corruption.

    `open()` checks that the folder is writable, takes an exclusive lock (a
    second writer gets an error at once, not a mixed folder), and then:
    for a new run, refuses a non-empty folder unless `overwrite` (which
    empties it); for `resume`, refuses a folder whose `run.json` records
    another method, dataset, config or seed, naming the difference. It writes
    `run.json` (the command and everything that defines the run) and returns
    the last checkpoint's state (`checkpoint.json`) or None. Use it as a
    context manager; the lock is released on exit.

    Args:
        directory: the run folder.
    """

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _check_writable(self):
        try:
            os.makedirs(self.directory, exist_ok=True)
            probe = os.path.join(self.directory, f".write-test-{os.getpid()}")
            with open(probe, "w") as f:
                f.write("ok")
            os.remove(probe)
        except OSError as error:
            raise RunFolderError(
                f"output folder {self.directory} is not writable: {error}"
            ) from error

    def _take_lock(self):
        self._lock = open(os.path.join(self.directory, LOCK), "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise RunFolderError(
                f"another process is writing to {self.directory} (it holds "
                f"{LOCK}): wait for it, or use another --output_dir"
            ) from None

    def _contents(self):
        return sorted(n for n in os.listdir(self.directory) if n != LOCK)

    def open(self, record, resume=False, overwrite=False):
        """Checks, locks and records the folder (see the class docstring)."""
        self._check_writable()
        self._take_lock()
        try:
            state = self._prepare(record, resume, overwrite)
            path = os.path.join(self.directory, RECORD)
            with open(f"{path}.tmp-{os.getpid()}", "w") as f:
                json.dump(record, f, indent=2)
            os.replace(f"{path}.tmp-{os.getpid()}", path)
            return state
        except BaseException:
            self.close()
            raise

    def _prepare(self, record, resume, overwrite):
        contents = self._contents()
        if resume:
            saved = self._saved_record()
            if saved is not None:
                differences = difference(saved, record)
                if differences:
                    raise RunFolderError(
                        f"--resume: {self.directory} holds another run "
                        f"({'; '.join(differences)}); use another --output_dir"
                    )
            state_path = os.path.join(self.directory, STATE)
            if os.path.exists(state_path):
                with open(state_path) as f:
                    return json.load(f)
            if contents and saved is None:
                raise RunFolderError(
                    f"--resume: {self.directory} has files but no {RECORD}: it is "
                    "not a kvc-train run folder"
                )
            return None
        if contents:
            if not overwrite:
                raise RunFolderError(
                    f"{self.directory} is not empty ({', '.join(contents[:4])}"
                    f"{', ...' if len(contents) > 4 else ''}): pass --overwrite to "
                    "replace it, or --resume to continue it"
                )
            for name in contents:
                path = os.path.join(self.directory, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
        return None

    def _saved_record(self):
        path = os.path.join(self.directory, RECORD)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)


def difference(saved, record):
    """The differing fields of two run records, as 'key: old -> new'."""
    out = []
    from keras_vae_collapse.configs import OPTIONAL_DEFAULTS

    saved_config = dict(saved.get("config", {}))
    new_config = dict(record.get("config", {}))
    for config in (saved_config, new_config):
        config.pop("epochs", None)  # a maximum: extending a run is fine
        config.pop("notes", None)
        for key, value in OPTIONAL_DEFAULTS.items():  # a run recorded before
            config.setdefault(key, value)  # a key existed had its default
    for key in sorted(set(saved) | set(record)):
        if key in _MAY_CHANGE or key == "config":
            continue
        if saved.get(key) != record.get(key):
            out.append(f"{key}: {saved.get(key)!r} -> {record.get(key)!r}")
    for key in sorted(set(saved_config) | set(new_config)):
        if saved_config.get(key) != new_config.get(key):
            out.append(
                f"config.{key}: {saved_config.get(key)!r} -> {new_config.get(key)!r}"
            )
    return out
