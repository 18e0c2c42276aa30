"""Saving and loading zoo models in a keras-hub-like preset layout.

`saved_models/<name>/`:
  config.json        the model's Keras config (`serialize_keras_object`)
  model.weights.h5   the weights (`model.save_weights`)
  metadata.json      name, dataset, method, preset, metrics, max_length,
                     versions and the SHA-256 of every other file
  assets/vocabulary.txt   the vocabulary of text models
  README.md          the model card
"""

import datetime
import hashlib
import json
import os

import keras
import tensorflow as tf

from keras_vae_collapse.datasets.vocabulary import Vocabulary
from keras_vae_collapse.version import __version__

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
METADATA = "metadata.json"
VOCABULARY = os.path.join("assets", "vocabulary.txt")
CARD = "README.md"
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ZooError(ValueError):
    """A zoo model is unknown, missing or corrupted."""


def saved_models_dir():
    """`$KVC_SAVED_MODELS`, else the repository's `saved_models/`."""
    return os.environ.get("KVC_SAVED_MODELS", os.path.join(_REPO, "saved_models"))


def recipes_dir():
    """`$KVC_ZOO_RECIPES`, else the repository's `zoo/` (one JSON recipe per
    model)."""
    return os.environ.get("KVC_ZOO_RECIPES", os.path.join(_REPO, "zoo"))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(model, directory, name, metadata=None, vocabulary=None, card=None):
    """Writes `model` as zoo model `name` into `directory/name/`.

    Args:
        model: a trained `VAE`.
        directory: the saved-models folder.
        name: the model's name (a folder name).
        metadata: extra JSON-able facts (dataset, method, preset, metrics,
            max_length, the training command, ...).
        vocabulary: the `Vocabulary` of a text model.
        card: the model card (markdown); a short one is made if None.
    Returns the model's folder.
    """
    folder = os.path.join(directory, name)
    os.makedirs(os.path.join(folder, "assets"), exist_ok=True)
    with open(os.path.join(folder, CONFIG), "w") as f:
        json.dump(keras.saving.serialize_keras_object(model), f, indent=2)
    model.save_weights(os.path.join(folder, WEIGHTS))
    files = [CONFIG, WEIGHTS]
    if vocabulary is not None:
        vocabulary.save(os.path.join(folder, VOCABULARY))
        files.append(VOCABULARY)
    meta = {
        "name": name,
        "created": datetime.datetime.now(datetime.UTC).isoformat(),
        "keras_vae_collapse_version": __version__,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "data_type": "text" if vocabulary is not None else "images",
        **(metadata or {}),
    }
    meta["sha256"] = {f: sha256(os.path.join(folder, f)) for f in files}
    with open(os.path.join(folder, METADATA), "w") as f:
        json.dump(meta, f, indent=2)
    with open(os.path.join(folder, CARD), "w") as f:
        f.write(card or f"# {name}\n\n```json\n{json.dumps(meta, indent=2)}\n```\n")
    return folder


def recipe(name):
    """The recipe `zoo/<name>.json` (dataset, preset, method, command, test
    metrics) as a dict."""
    path = os.path.join(recipes_dir(), f"{name}.json")
    if not os.path.exists(path):
        raise ZooError(f"no recipe {path}; known: {', '.join(list_models()) or 'none'}")
    with open(path) as f:
        return json.load(f)


def list_models(directory=None):
    """Names of the zoo models: the recipes in `zoo/` and the folders of the
    saved-models directory that hold a `metadata.json`, sorted."""
    names = set()
    recipes = recipes_dir()
    if os.path.isdir(recipes):
        names.update(f[:-5] for f in os.listdir(recipes) if f.endswith(".json"))
    directory = directory or saved_models_dir()
    if os.path.isdir(directory):
        names.update(
            n
            for n in os.listdir(directory)
            if os.path.exists(os.path.join(directory, n, METADATA))
        )
    return sorted(names)


def load(name, directory=None, verify=True):
    """The trained Keras model of zoo model `name`.

    Text models come with their vocabulary, so `encode` takes raw strings.
    Files are checked against the SHA-256 sums of `metadata.json` (a
    tampered or truncated file raises `ZooError`).
    """
    directory = directory or saved_models_dir()
    folder = os.path.join(directory, name)
    if not os.path.isdir(folder):
        known = list_models(directory)
        raise ZooError(
            f"unknown zoo model {name!r}; known: {', '.join(known) or 'none'}"
            if name not in known
            else f"zoo model {name!r} has a recipe but no trained artifacts in "
            f"{directory} (train it with its recipe)"
        )
    meta_path = os.path.join(folder, METADATA)
    if not os.path.exists(meta_path):
        raise ZooError(f"{folder}: no {METADATA}")
    with open(meta_path) as f:
        meta = json.load(f)
    for file, digest in meta.get("sha256", {}).items():
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            raise ZooError(f"{path} is missing")
        if verify and sha256(path) != digest:
            raise ZooError(
                f"{path} does not match the checksum in {meta_path}: the file "
                "is corrupted or was changed"
            )
    with open(os.path.join(folder, CONFIG)) as f:
        model = keras.saving.deserialize_keras_object(json.load(f))
    vocabulary = None
    if os.path.exists(os.path.join(folder, VOCABULARY)):
        vocabulary = Vocabulary.from_file(os.path.join(folder, VOCABULARY))
        shape = (None, None)
    else:
        shape = (None, *model.likelihood.example_shape())
    model.build(shape)
    model.load_weights(os.path.join(folder, WEIGHTS))
    if vocabulary is not None:
        model.set_vocabulary(vocabulary, meta.get("max_length"))
    model.zoo_metadata = meta
    return model
