"""keras_vae_collapse: Keras 3 variational autoencoders that resist posterior
collapse, with tensorflow-probability priors and posteriors."""

from keras_vae_collapse import (
    callbacks,
    datasets,
    distributions,
    export,
    layers,
    likelihoods,
    metrics,
    models,
    networks,
    presets,
    schedules,
    zoo,
)
from keras_vae_collapse.version import __version__

__all__ = [
    "__version__",
    "callbacks",
    "datasets",
    "distributions",
    "export",
    "layers",
    "likelihoods",
    "metrics",
    "models",
    "networks",
    "presets",
    "schedules",
    "zoo",
]
