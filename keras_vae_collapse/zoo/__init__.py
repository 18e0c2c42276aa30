"""The zoo of pretrained models: `list_models()`, `load(name)`, `save(...)`."""

from keras_vae_collapse.zoo.model_store import (
    ZooError,
    list_models,
    load,
    recipe,
    recipes_dir,
    save,
    saved_models_dir,
)

__all__ = [
    "ZooError",
    "list_models",
    "load",
    "recipe",
    "recipes_dir",
    "save",
    "saved_models_dir",
]
