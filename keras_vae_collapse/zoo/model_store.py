"""The zoo: pretrained models by name.

A zoo model is a preset folder (`preset_io`) named `saved_models/<name>/`,
with a recipe `zoo/<name>.json` that says how it was made. The folders are
found in one place, `saved_models_dir()`: `$KVC_SAVED_MODELS`, else the
`saved_models/` folder of the source checkout the package runs from.
"""

import json
import os

from keras_vae_collapse.zoo.preset_io import (
    METADATA,
    ZooError,
    load_preset,
    save_preset,
)

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def saved_models_dir():
    """`$KVC_SAVED_MODELS`, else the checkout's `saved_models/` (the one
    documented place where zoo models are looked up by name)."""
    return os.environ.get("KVC_SAVED_MODELS", os.path.join(_CHECKOUT, "saved_models"))


def recipes_dir():
    """`$KVC_ZOO_RECIPES`, else the checkout's `zoo/` (one JSON recipe per
    model)."""
    return os.environ.get("KVC_ZOO_RECIPES", os.path.join(_CHECKOUT, "zoo"))


def save(model, directory, name, metadata=None, card=None, overwrite=False):
    """Writes `model` as zoo model `name`, the preset `directory/name/`
    (`VAE.save_to_preset`); returns the folder."""
    folder = os.path.join(directory, name)
    return save_preset(
        model, folder, {"name": name, **(metadata or {})}, card, overwrite
    )


def recipe(name):
    """The recipe `zoo/<name>.json` (dataset, config, method, command, test
    metrics) as a dict."""
    path = os.path.join(recipes_dir(), f"{name}.json")
    if not os.path.exists(path):
        raise ZooError(f"no recipe {path}; known: {', '.join(list_models()) or 'none'}")
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as error:
        raise ZooError(f"{path} is not valid JSON: {error}") from error


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
    """The trained model of zoo model `name` (or of a preset folder path).

    Text models come with their tokenizer, so `encode` takes raw strings.
    Files are checked against the SHA-256 sums of `metadata.json` (a
    tampered, truncated or unlisted file raises `ZooError`).
    """
    if os.path.isdir(name) and directory is None:
        return load_preset(name, verify)
    directory = directory or saved_models_dir()
    folder = os.path.join(directory, name)
    if not os.path.isdir(folder):
        known = list_models(directory)
        raise ZooError(
            f"unknown zoo model {name!r}; known: {', '.join(known) or 'none'}"
            if name not in known
            else f"zoo model {name!r} has a recipe but no trained artifacts in "
            f"{directory}: {_why_not_shipped(name)}"
        )
    return load_preset(folder, verify)


def _why_not_shipped(name):
    """The recipe's `not_shipped_because`, else how to make the model."""
    try:
        reason = recipe(name).get("not_shipped_because")
    except Exception:  # an unreadable recipe: the plain advice
        reason = None
    if reason:
        return f"it is not shipped ({reason}); train it with its recipe"
    return "train it with its recipe"
