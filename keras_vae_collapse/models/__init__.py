"""Models: the VAE base and the methods built on it."""

from keras_vae_collapse.models.aggressive_vae import AggressiveVAE
from keras_vae_collapse.models.vae import VAE

__all__ = ["AggressiveVAE", "VAE"]
