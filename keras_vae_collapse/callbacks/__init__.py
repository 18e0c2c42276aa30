"""Keras callbacks: collapse metrics on validation data."""

from keras_vae_collapse.callbacks.collapse_metrics import CollapseMetrics

__all__ = ["CollapseMetrics"]
