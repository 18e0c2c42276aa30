"""Models: the VAE base and the methods built on it."""

from keras_vae_collapse.models.aggressive_vae import AggressiveVAE
from keras_vae_collapse.models.bn_vae import BNVAE
from keras_vae_collapse.models.delta_vae import DeltaVAE
from keras_vae_collapse.models.du_vae import DUVAE
from keras_vae_collapse.models.libi import LiBI
from keras_vae_collapse.models.scale_vae import ScaleVAE
from keras_vae_collapse.models.vae import VAE

__all__ = ["VAE", "AggressiveVAE", "BNVAE", "DUVAE", "DeltaVAE", "LiBI", "ScaleVAE"]
