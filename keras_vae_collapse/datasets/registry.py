"""One-line access to the package's tfds builders from a local directory."""

import contextlib
import hashlib
import json
import os
import shutil

import tensorflow_datasets as tfds

from keras_vae_collapse.datasets.kvc_omniglot import KvcOmniglot
from keras_vae_collapse.datasets.kvc_ptb import KvcPtb
from keras_vae_collapse.datasets.kvc_short_yelp import KvcShortYelp
from keras_vae_collapse.datasets.kvc_synthetic import KvcSynthetic
from keras_vae_collapse.datasets.kvc_synthetic_draw import KvcSyntheticDraw
from keras_vae_collapse.datasets.kvc_text import KvcText
from keras_vae_collapse.datasets.kvc_yahoo import KvcYahoo
from keras_vae_collapse.datasets.kvc_yelp import KvcYelp
from keras_vae_collapse.datasets.kvc_yelp_sentiment import KvcYelpSentiment

#: Short name -> builder class (tfds name `kvc_<short name>`).
BUILDERS = {
    "yahoo": KvcYahoo,
    "yelp": KvcYelp,
    "yelp_sentiment": KvcYelpSentiment,
    "short_yelp": KvcShortYelp,
    "omniglot": KvcOmniglot,
    "ptb": KvcPtb,
    "synthetic": KvcSynthetic,
    "synthetic_he2019": KvcSyntheticDraw,
    "text": KvcText,
}

#: The record of the source files of a prepared dataset, written next to
#: tfds's `dataset_info.json` (in the builder's `data_dir`).
SOURCE_RECORD = "kvc_source.json"

try:  # POSIX only: elsewhere concurrent preparation is not guarded
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


def default_data_root():
    """`$KVC_DATA_DIR` (the folder of the dataset folders), or None if unset.

    Never guessed from the working directory: callers that know a layout
    (tests, scripts) add their own fallback."""
    return os.environ.get("KVC_DATA_DIR") or None


def builder(name, data_dir=None, cache_dir=None, log=print):
    """The prepared tfds builder of dataset `name`, made from local files.

    The prepared data is keyed by its source: `SOURCE_RECORD` in the
    prepared folder records a fingerprint of the files (`source_fingerprint`:
    every file under `data_dir`, its relative name, size and mtime, plus the
    builder name and version) and each file's SHA-256. If the files changed
    since, or the cache was made from another folder with other files, the
    prepared folder is deleted and rebuilt (one log line says so); files
    with new mtimes only (a re-provisioned volume, a copy) but the recorded
    sizes and SHA-256 keep the cache (one log line); a cache prepared
    before fingerprints existed is adopted as made from `data_dir`. Checking and
    preparing hold an exclusive lock (a `.kvc_<name>.lock` file in the cache
    folder), so concurrent processes prepare once and the others reuse it.

    Args:
        name: one of `BUILDERS` (`"yahoo"`, ...) or its tfds name
            (`"kvc_yahoo"`).
        data_dir: directory holding the dataset's original files (the
            builder's docstring says which); not needed when the builder's
            `NEEDS_FILES` is False (generated data such as `"synthetic"`).
        cache_dir: where tfds writes the prepared dataset (default: tfds's
            `~/tensorflow_datasets` or `$TFDS_DATA_DIR`).
        log: called with the one-line message of a rebuild or an adoption.
    """
    short = name[len("kvc_") :] if name.startswith("kvc_") else name
    if short not in BUILDERS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(BUILDERS)}")
    cls = BUILDERS[short]
    if data_dir is None and cls.NEEDS_FILES:
        raise ValueError(f"dataset {short!r} needs data_dir, the folder of its files")
    if data_dir is not None and not os.path.isdir(data_dir):
        raise FileNotFoundError(f"data_dir {data_dir!r} is not a directory")
    # The cache root as tfds resolves it (a builder is made only for tfds's
    # default root: it reads a prepared folder, which may be in a rebuild).
    if cache_dir is not None:
        root = os.fspath(cache_dir)
    else:
        root = os.fspath(cls(data_dir=None).data_dir_root)
    os.makedirs(root, exist_ok=True)
    with _exclusive(os.path.join(root, f".kvc_{short}.lock")):
        # Made anew under the lock: another process may have prepared it.
        instance = cls(data_dir=cache_dir)
        source = source_fingerprint(cls, data_dir if cls.NEEDS_FILES else None, root)
        record = os.path.join(instance.data_dir, SOURCE_RECORD)
        if os.path.isdir(instance.data_dir):
            recorded = _read_record(record)
            if recorded is None:
                log(
                    f"[kvc] {short}: the cache in {instance.data_dir} has no "
                    f"record of its source: assuming it was prepared from "
                    f"{data_dir} (delete it to rebuild)"
                )
                _write_record(record, _with_hashes(source, data_dir))
            elif _unhashed(recorded) != source:
                if _only_touched(recorded, source, data_dir):
                    log(
                        f"[kvc] {short}: the files in {data_dir} have new times "
                        "but the same SHA-256 as when the cache in "
                        f"{instance.data_dir} was prepared: keeping it"
                    )
                    _write_record(record, {**source, "sha256": recorded["sha256"]})
                else:
                    log(
                        f"[kvc] {short}: the files in {data_dir} changed since "
                        f"the cache in {instance.data_dir} was prepared: "
                        "rebuilding"
                    )
                    shutil.rmtree(instance.data_dir)
                    instance = cls(data_dir=cache_dir)
        if not os.path.isdir(instance.data_dir):
            instance.download_and_prepare(
                download_config=tfds.download.DownloadConfig(
                    manual_dir=os.path.abspath(data_dir) if data_dir else None
                )
            )
            _write_record(record, _with_hashes(source, data_dir))
    return instance


def _file_hashes(data_dir, relatives):
    """SHA-256 (hex) of each file named relative to `data_dir`."""
    top = os.path.realpath(data_dir)
    hashes = {}
    for relative in relatives:
        digest = hashlib.sha256()
        with open(os.path.join(top, relative), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        hashes[relative] = digest.hexdigest()
    return hashes


def _with_hashes(source, data_dir):
    """The record of a source: its fingerprint plus each file's SHA-256, so
    files that only got new times (a copy, a re-provisioned volume) are
    recognised as unchanged."""
    if not source["files"]:
        return source
    names = [name for name, _, _ in source["files"]]
    return {**source, "sha256": _file_hashes(data_dir, names)}


def _unhashed(recorded):
    return {key: value for key, value in recorded.items() if key != "sha256"}


def _only_touched(recorded, source, data_dir):
    """Whether the source differs from the record only in mtimes, with every
    file's content (SHA-256) as recorded."""
    hashes = recorded.get("sha256")
    if not isinstance(hashes, dict) or _without_times(recorded) != _without_times(
        source
    ):
        return False
    return _file_hashes(data_dir, [f[0] for f in source["files"]]) == hashes


def _without_times(fingerprint):
    """A fingerprint without its hashes and its files' mtimes."""
    files = [list(f[:2]) for f in fingerprint.get("files", [])]
    return {**_unhashed(fingerprint), "files": files}


def source_fingerprint(cls, data_dir=None, cache_root=None):
    """What a prepared dataset is made from, as JSON-ready data: the builder
    name and version, and for each file under `data_dir` (recursively,
    symbolic links followed, sorted) its relative name, size and mtime in
    nanoseconds. Files of the cache (`cache_root`, if it lies inside
    `data_dir`, or the builder's folder and tfds's `downloads/` in it) are
    left out. Generated datasets (`data_dir` None) give name and version."""
    fingerprint = {"builder": cls.name, "version": str(cls.VERSION), "files": []}
    if data_dir is None:
        return fingerprint
    top = os.path.realpath(data_dir)
    skip = set()
    if cache_root is not None:
        cache = os.path.realpath(cache_root)
        skip = {os.path.join(cache, cls.name), os.path.join(cache, "downloads")}
        if cache != top:
            skip.add(cache)
    files, seen = [], set()
    for folder, dirs, names in os.walk(top, followlinks=True):
        real = os.path.realpath(folder)
        if real in skip or real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        for file_name in names:
            path = os.path.join(folder, file_name)
            if file_name.startswith(".kvc_") and file_name.endswith(".lock"):
                continue
            try:
                stat = os.stat(path)
            except FileNotFoundError:  # a dangling link
                continue
            relative = os.path.relpath(path, top).replace(os.sep, "/")
            files.append([relative, stat.st_size, stat.st_mtime_ns])
    fingerprint["files"] = sorted(files)
    return fingerprint


def _read_record(path):
    """The recorded fingerprint: None if there is none, {} if unreadable (so
    it matches no fingerprint)."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _write_record(path, source):
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(source, handle, indent=1)
    os.replace(temporary, path)


@contextlib.contextmanager
def _exclusive(path):
    """Holds an exclusive `flock` on `path` (created if missing)."""
    with open(path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def load(name, data_dir=None, split="train", cache_dir=None, **kwargs):
    """`tf.data.Dataset` of one split, e.g. `load("yahoo", "data/yahoo")`.

    Prepares the dataset on first use (see `builder`); `kwargs` go to
    `as_dataset` (`shuffle_files`, `as_supervised`, ...).
    """
    return builder(name, data_dir, cache_dir).as_dataset(split=split, **kwargs)


def check_counts(prepared):
    """Compares a prepared builder's example counts with the counts its
    docstring states (`EXPECTED_COUNTS`, from the data README); returns
    {split: count} and raises ValueError on a mismatch."""
    counts = {s: info.num_examples for s, info in prepared.info.splits.items()}
    wrong = {
        s: (counts.get(s), n)
        for s, n in prepared.EXPECTED_COUNTS.items()
        if counts.get(s) != n
    }
    if wrong:
        raise ValueError(
            f"{prepared.name}: example counts (found, expected) differ: {wrong}"
        )
    return counts
