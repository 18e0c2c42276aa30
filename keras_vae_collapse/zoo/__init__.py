"""The zoo of pretrained models: `list_models()`, `load(name)`, `save(...)`,
`publish(...)` (a finished run as a zoo model), and the preset folder format
they use (`save_preset`, `load_preset`)."""

from keras_vae_collapse.zoo.model_card import model_card
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
from keras_vae_collapse.zoo.publish import check_published, publish

__all__ = [
    "ZooError",
    "check_published",
    "model_card",
    "publish",
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
