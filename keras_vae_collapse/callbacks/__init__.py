"""Keras callbacks: collapse metrics, the Agg-VAE switch, diagnostics."""

from keras_vae_collapse.callbacks.aggressive_switch import AggressiveSwitch
from keras_vae_collapse.callbacks.collapse_metrics import CollapseMetrics
from keras_vae_collapse.callbacks.posterior_mean_space import PosteriorMeanSpace

__all__ = ["AggressiveSwitch", "CollapseMetrics", "PosteriorMeanSpace"]
