"""Short synthetic runs, three seeds: what the posterior transforms keep.

640 sequences of He et al.'s synthetic corpus, LSTMs of 16, latent 2, SGD 1.0,
2 epochs; statistics on 500 test sequences. Measured (seeds 0 / 1 / 2):
VAE AU 0 / 0 / 0, MI 0.04 each; BN-VAE AU 2 / 2 / 1, MI 0.42 / 0.55 / 0.05;
Scale-VAE AU 2 / 2 / 2, MI 0.79 / 0.33 / 0.33; delta-VAE AU 0 / 0 / 0, MI
0.04, KL exactly 2 delta.

So the claim asserted is: in at least two seeds of three, more active units
than the VAE, and a mean MI at least 0.1 nats above it. Over seeds 0-5 (2026-12-02)
BN-VAE kept units in 5 of 6 and Scale-VAE in 6 of 6, so the claim has margin.
Scale-VAE's AU is measured on f * mu, whose spread is des_std by
construction, so its MI is the evidence. delta-VAE keeps its KL floor but not
information: with mu = sqrt(slack + relu(mu_raw)) the floor is met by a mean
that does not depend on x, and relu passes no gradient back where mu_raw < 0.

DU-VAE is not asserted here: at this size it keeps its latent only in some
seeds. Over seeds 0-5, AU 0 / 2 / 2 / 0 / 0 / 0 after 2 epochs (MI 0.04 where
AU is 0), and after 3, 5 or 8 epochs MI stayed within 0.1 nats of the VAE's in
half the seeds. Its batch norm runs on the current batch in training but on
running statistics in evaluation, and where the raw means shrink faster than
those statistics follow (seed 0: running variance 2e-4, test variance of the
raw means 4e-6) the evaluated means carry almost nothing. An earlier version
asserted DU-VAE's claim on seeds 0-2, two of which happened to work; CI
measured AU 0 / 2 / 0 there.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc
from keras_vae_collapse.datasets import synthetic_he2019 as syn

SEEDS = (0, 1, 2)

METHODS = {
    "vae": (kvc.models.VAE, {}),
    "bn-vae": (kvc.models.BNVAE, {"gamma": 0.6}),
    "scale-vae": (kvc.models.ScaleVAE, {"des_std": 1.0}),
    "delta-vae": (kvc.models.DeltaVAE, {"delta": 0.15}),
}


@pytest.fixture(scope="module")
def data():
    return syn.synthetic_splits(splits={"train": 640, "validation": 16, "test": 500})


def train(cls, data, seed=0, **kwargs):
    vocab = syn.vocab_size()
    keras.utils.set_random_seed(seed)
    model = cls(
        kvc.networks.TextLSTMEncoder(vocab, 2, 16, 16),
        kvc.networks.TextLSTMDecoder(vocab, 2, 16, 16),
        kvc.likelihoods.TokenCategorical(vocab),
        2,
        clip_norm=5.0,
        seed=seed,
        **kwargs,
    )
    model.compile(keras.optimizers.SGD(1.0))
    model.fit(data["train"]["x"], batch_size=16, epochs=2, verbose=0)
    stats = kvc.metrics.collapse_statistics(
        model, data["test"]["x"], batch_size=50, seed=0
    )
    return model, stats


@pytest.fixture(scope="module")
def runs(data):
    return {
        name: [train(cls, data, seed, **kwargs) for seed in SEEDS]
        for name, (cls, kwargs) in METHODS.items()
    }


def statistics(runs, name):
    return [stats for _, stats in runs[name]]


def test_the_vae_collapses_in_every_seed(runs):
    assert [s["au"] for s in statistics(runs, "vae")] == [0, 0, 0]
    assert max(s["mi_batch"] for s in statistics(runs, "vae")) < 0.1


@pytest.mark.parametrize("method", ["bn-vae", "scale-vae"])
def test_posterior_transform_keeps_more_units_and_information(runs, method):
    vae, other = statistics(runs, "vae"), statistics(runs, method)
    more_units = sum(o["au"] > v["au"] for o, v in zip(other, vae))
    assert more_units >= 2, [o["au"] for o in other]
    mi_gain = np.mean([o["mi_batch"] for o in other]) - np.mean(
        [v["mi_batch"] for v in vae]
    )
    assert mi_gain >= 0.1, [round(o["mi_batch"], 2) for o in other]


def test_delta_vae_keeps_its_kl_floor_on_the_data(runs, data):
    for model, stats in runs["delta-vae"]:
        mu, logvar = model.encode(data["test"]["x"])
        kl = kvc.distributions.kl_per_dimension(mu, logvar).numpy()
        assert kl.min() >= 0.15 - 1e-4
        assert stats["kl"] >= 2 * 0.15 - 1e-4


def test_delta_vae_mean_gets_no_gradient_where_mu_raw_is_negative():
    layer = kvc.layers.DeltaPosterior(0.15)
    mu_raw = tf.constant([[-0.3, 0.2], [-0.01, 0.5]])
    logvar_raw = tf.constant([[0.0, 0.0], [1.0, -1.0]])
    with tf.GradientTape() as tape:
        tape.watch(mu_raw)
        mu, _ = layer(mu_raw, logvar_raw)
        total = tf.reduce_sum(mu)
    grad = tape.gradient(total, mu_raw).numpy()
    np.testing.assert_array_equal(grad[:, 0], [0.0, 0.0])
    assert (grad[:, 1] > 0).all()
