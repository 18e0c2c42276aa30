"""Layers: posterior transforms (BN on the mean, DU-VAE, delta-VAE, Scale-VAE),
the PixelCNN masked convolution and the text tokenizer."""

from keras_vae_collapse.layers.batch_norm_mean import BatchNormMean
from keras_vae_collapse.layers.delta_posterior import DeltaPosterior
from keras_vae_collapse.layers.du_posterior import DUPosterior
from keras_vae_collapse.layers.global_moments import global_batch_moments
from keras_vae_collapse.layers.masked_conv2d import MaskedConv2D
from keras_vae_collapse.layers.posterior_scale import PosteriorScale
from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

__all__ = [
    "BatchNormMean",
    "DUPosterior",
    "DeltaPosterior",
    "MaskedConv2D",
    "PosteriorScale",
    "TextTokenizer",
    "global_batch_moments",
]
