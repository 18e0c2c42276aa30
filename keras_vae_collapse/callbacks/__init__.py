"""Keras callbacks: collapse metrics and diagnostics."""

from keras_vae_collapse.callbacks.collapse_metrics import CollapseMetrics
from keras_vae_collapse.callbacks.posterior_mean_space import PosteriorMeanSpace

__all__ = ["CollapseMetrics", "PosteriorMeanSpace"]
