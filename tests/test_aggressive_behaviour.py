"""Agg-VAE avoids the inference collapse that a plain VAE shows (He et al.)."""

import keras

import keras_vae_collapse as kvc
from keras_vae_collapse.datasets import synthetic_he2019 as syn


def train(cls, data, seed=0):
    vocab = syn.vocab_size()
    keras.utils.set_random_seed(seed)
    model = cls(
        kvc.networks.TextLSTMEncoder(vocab, 2, 16, 16),
        kvc.networks.TextLSTMDecoder(vocab, 2, 16, 16),
        kvc.likelihoods.TokenCategorical(vocab),
        2,
        clip_norm=5.0,
        seed=seed,
    )
    kwargs = {}
    if cls is kvc.models.AggressiveVAE:
        kwargs["validation_data"] = (data["validation"]["x"],)
    model.compile(keras.optimizers.SGD(1.0))  # both groups for Agg-VAE
    model.fit(data["train"]["x"], batch_size=16, epochs=2, verbose=0, **kwargs)
    return kvc.metrics.collapse_statistics(
        model, data["test"]["x"], batch_size=50, seed=0
    )


def test_aggressive_training_keeps_the_latent_in_use():
    data = syn.synthetic_splits(splits={"train": 640, "validation": 500, "test": 500})
    vae = train(kvc.models.VAE, data)
    agg = train(kvc.models.AggressiveVAE, data)
    assert vae["au"] == 0 and vae["kl"] < 0.05  # collapsed
    assert agg["au"] > vae["au"]
    assert agg["mi_batch"] > vae["mi_batch"] + 0.3
