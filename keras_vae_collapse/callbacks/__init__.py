"""Keras callbacks: collapse metrics, the Agg-VAE switch, diagnostics."""

from keras_vae_collapse.callbacks.aggressive_switch import AggressiveSwitch
from keras_vae_collapse.callbacks.collapse_metrics import CollapseMetrics

__all__ = ["AggressiveSwitch", "CollapseMetrics"]
