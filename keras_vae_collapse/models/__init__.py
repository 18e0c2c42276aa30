"""Models: the VAE base and the methods built on it."""

from keras_vae_collapse.models.vae import VAE

__all__ = ["VAE"]
