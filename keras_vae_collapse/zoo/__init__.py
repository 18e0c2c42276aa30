"""The zoo of pretrained models: `list_models()`, `load(name)`, `save(...)`,
and the preset folder format they use (`save_preset`, `load_preset`)."""

from keras_vae_collapse.zoo.model_store import (
    list_models,
    load,
    recipe,
    recipes_dir,
    save,
    saved_models_dir,
)
from keras_vae_collapse.zoo.preset_io import (
    ZooError,
    load_preset,
    save_preset,
    verify_preset,
)

__all__ = [
    "ZooError",
    "list_models",
    "load",
    "load_preset",
    "recipe",
    "recipes_dir",
    "save",
    "save_preset",
    "saved_models_dir",
    "verify_preset",
]
