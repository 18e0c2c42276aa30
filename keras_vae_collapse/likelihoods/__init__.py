"""Likelihoods p(x|z) for tokens, binary data and real vectors."""

from keras_vae_collapse.likelihoods.bernoulli import Bernoulli
from keras_vae_collapse.likelihoods.gaussian import Gaussian
from keras_vae_collapse.likelihoods.likelihood import Likelihood
from keras_vae_collapse.likelihoods.token_categorical import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    TokenCategorical,
)

__all__ = [
    "BOS_ID",
    "EOS_ID",
    "PAD_ID",
    "UNK_ID",
    "Bernoulli",
    "Gaussian",
    "Likelihood",
    "TokenCategorical",
]
