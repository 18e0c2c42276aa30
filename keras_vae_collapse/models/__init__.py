"""Models: the VAE base, the methods built on it, and the method registry."""

from keras_vae_collapse.models import registry
from keras_vae_collapse.models.aggressive_vae import AggressiveVAE
from keras_vae_collapse.models.autoregressive import Autoregressive
from keras_vae_collapse.models.bn_vae import BNVAE
from keras_vae_collapse.models.delta_vae import DeltaVAE
from keras_vae_collapse.models.du_vae import DUVAE
from keras_vae_collapse.models.libi import LiBI
from keras_vae_collapse.models.mae_vae import MAE, mutual_posterior_divergence
from keras_vae_collapse.models.registry import (
    METHODS,
    Method,
    MethodSpec,
    method_names,
    parse,
    register,
)
from keras_vae_collapse.models.scale_vae import ScaleVAE
from keras_vae_collapse.models.semi_amortized_vae import SemiAmortizedVAE
from keras_vae_collapse.models.skip_vae import SkipVAE
from keras_vae_collapse.models.vae import VAE

__all__ = [
    "METHODS",
    "VAE",
    "AggressiveVAE",
    "Autoregressive",
    "BNVAE",
    "DUVAE",
    "DeltaVAE",
    "LiBI",
    "MAE",
    "Method",
    "MethodSpec",
    "ScaleVAE",
    "SemiAmortizedVAE",
    "SkipVAE",
    "method_names",
    "mutual_posterior_divergence",
    "parse",
    "register",
    "registry",
]
