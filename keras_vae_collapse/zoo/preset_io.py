"""Saving and loading a model as a preset: the keras-hub folder layout.

`<folder>/`:
  config.json        `keras.saving.serialize_keras_object(model)` (with its
                     build config, which a subclassed model needs to load)
  model.weights.h5   the weights and the state of every random generator
  assets/tokenizer/  the tokenizer's vocabulary (text models)
  README.md          the model card
  metadata.json      keras-hub's keys (keras_version, parameter_count,
                     date_saved, tasks) plus ours, and the SHA-256 of every
                     other file (`sha256`), checked on loading

keras-hub's `upload_preset` accepts such a folder as it is (it checks for
config.json and model.weights.h5); its `Backbone.from_preset` does not load
subclassed models, hence our own loader (`VAE.from_preset`).
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_vae_collapse.version import __version__

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
METADATA = "metadata.json"
CARD = "README.md"
TOKENIZER_ASSETS = os.path.join("assets", "tokenizer")
#: Files that every preset has.
REQUIRED = (CONFIG, WEIGHTS, CARD)
#: Sub-folders that a preset's checksums need not cover (the serving export,
#: which a published zoo model covers too: `zoo.publish`).
UNCHECKED = ("serving",)


class ZooError(ValueError):
    """A preset or zoo model is unknown, missing, malformed or corrupted."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder, unchecked=UNCHECKED):
    """Relative paths of the preset's files (not metadata.json, nor the
    `unchecked` sub-folders)."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if os.path.relpath(os.path.join(root, d), folder) not in unchecked
        )
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(root, name), folder)
            if rel != METADATA:
                out.append(rel.replace(os.sep, "/"))
    return out


def save_preset(model, folder, metadata=None, card=None, overwrite=False):
    """Writes `model` as a preset into `folder` (see the module docstring).

    The files are written into a temporary folder next to `folder` and
    moved into place at the end, so `folder` never mixes old and new files.

    Args:
        model: a built `VAE` (text models carry their tokenizer).
        folder: the preset folder to create.
        metadata: extra JSON-able facts (dataset, method, config, metrics...).
        card: the model card (markdown); a short one is made if None.
        overwrite: replace an existing `folder`.
    Returns `folder`.
    """
    folder = os.path.abspath(folder)
    if os.path.exists(folder) and not overwrite:
        raise FileExistsError(f"{folder} exists (pass overwrite=True to replace it)")
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".preset-", dir=parent)
    try:
        config = keras.saving.serialize_keras_object(model)
        with open(os.path.join(staging, CONFIG), "w") as f:
            json.dump(config, f, indent=2)
        model.save_weights(os.path.join(staging, WEIGHTS))
        tokenizer = getattr(model, "tokenizer", None)
        if tokenizer is not None:
            assets = os.path.join(staging, TOKENIZER_ASSETS)
            os.makedirs(assets)
            tokenizer.save_assets(assets)
        meta = {
            "keras_version": keras.__version__,
            "keras_vae_collapse_version": __version__,
            "tensorflow_version": tf.__version__,
            "parameter_count": int(model.count_params()),
            "date_saved": datetime.datetime.now(datetime.UTC).strftime(
                "%Y-%m-%d@%H:%M:%S"
            ),
            "tasks": [],
            "class_name": type(model).__name__,
            **(metadata or {}),
        }
        facts = json.dumps(meta, indent=2)
        text = card or f"# {os.path.basename(folder)}\n\n```json\n{facts}\n```\n"
        with open(os.path.join(staging, CARD), "w") as f:
            f.write(text)
        meta["sha256"] = {
            name: sha256(os.path.join(staging, name)) for name in _files(staging)
        }
        with open(os.path.join(staging, METADATA), "w") as f:
            json.dump(meta, f, indent=2)
        if os.path.exists(folder):
            old = folder + ".old-" + os.path.basename(staging)
            os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old)
        else:
            os.replace(staging, folder)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    return folder


def read_metadata(folder):
    """The preset's metadata.json as a dict (ZooError if absent or invalid)."""
    path = os.path.join(folder, METADATA)
    if not os.path.exists(path):
        raise ZooError(f"{folder}: no {METADATA} (not a preset folder)")
    try:
        with open(path) as f:
            meta = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ZooError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), dict):
        raise ZooError(f"{path} has no 'sha256' table of file checksums")
    return meta


def verify_preset(folder, meta=None):
    """Checks every file against metadata.json's checksums; every preset
    file must be listed, and the required files must exist."""
    meta = meta or read_metadata(folder)
    sums = meta["sha256"]
    for name in REQUIRED:
        if name not in sums:
            raise ZooError(f"{folder}: metadata.json lists no checksum of {name}")
    # A published zoo model lists its serving/ files too: then all of them.
    listed = {n.split("/", 1)[0] for n in sums if "/" in n}
    for name in _files(folder, tuple(d for d in UNCHECKED if d not in listed)):
        if name not in sums:
            raise ZooError(
                f"{folder}/{name} is not covered by metadata.json's checksums"
            )
    for name, digest in sums.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            raise ZooError(f"{path} is missing")
        if sha256(path) != digest:
            raise ZooError(
                f"{path} does not match the checksum in metadata.json: the file "
                "is corrupted or was changed"
            )
    return meta


def load_preset(folder, verify=True):
    """The model saved in preset `folder` (checksums verified first).

    The loaded model carries `preset_metadata` (metadata.json as a dict).
    """
    if not os.path.isdir(folder):
        raise ZooError(f"no preset folder {folder}")
    meta = verify_preset(folder) if verify else read_metadata(folder)
    # Sub-layers take the global dtype policy when created: that of the run.
    precision = (meta.get("config") or {}).get("precision") or "float32"
    before = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy(precision)
        with open(os.path.join(folder, CONFIG)) as f:
            model = keras.saving.deserialize_keras_object(json.load(f))
    except (json.JSONDecodeError, TypeError, ValueError, KeyError) as error:
        raise ZooError(
            f"{folder}/{CONFIG} does not describe a model: {error}"
        ) from error
    finally:
        keras.config.set_dtype_policy(before)
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is not None:
        tokenizer.load_assets(os.path.join(folder, TOKENIZER_ASSETS))
        model.check_tokenizer()
    if not model.built:
        model.build((None, *model.likelihood.example_shape()))
    model.load_weights(os.path.join(folder, WEIGHTS))
    model.preset_metadata = meta
    return model
