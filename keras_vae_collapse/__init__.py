"""keras_vae_collapse: Keras 3 variational autoencoders that resist posterior
collapse, with tensorflow-probability priors and posteriors."""

from keras_vae_collapse import (
    callbacks,
    configs,
    datasets,
    distributions,
    evaluation,
    export,
    layers,
    likelihoods,
    metrics,
    models,
    networks,
    schedules,
    training,
    zoo,
)
from keras_vae_collapse.version import __version__

__all__ = [
    "__version__",
    "callbacks",
    "configs",
    "datasets",
    "distributions",
    "evaluation",
    "export",
    "layers",
    "likelihoods",
    "metrics",
    "models",
    "networks",
    "schedules",
    "training",
    "zoo",
]
