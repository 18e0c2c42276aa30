"""The Omniglot networks: PixelCNN causality by gradients, ResNet shapes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc


def logit_gradients(decoder, x, z, i, j):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logit = decoder(z, x)[0, i, j, 0]
    return tape.gradient(logit, x).numpy()[0, ..., 0]


@pytest.mark.parametrize("i,j", [(0, 0), (0, 5), (7, 0), (13, 13), (27, 27)])
def test_pixelcnn_logit_depends_only_on_earlier_pixels(i, j):
    decoder = kvc.networks.PixelCNNDecoder(
        4, (28, 28, 1), channels=8, kernel_sizes=(5, 3, 3), first_kernel=5
    )
    rng = np.random.default_rng(0)
    x = (rng.random((2, 28, 28, 1)) < 0.5).astype(np.float32)
    z = tf.constant(rng.standard_normal((2, 4)), tf.float32)
    grad = np.abs(logit_gradients(decoder, x, z, i, j)).reshape(-1)
    position = i * 28 + j
    assert grad[position:].max() == 0.0  # itself and everything after
    if j > 0:
        assert grad[position - 1] > 0  # the left neighbour
    if i > 0:
        assert grad[position - 28] > 0  # the pixel above
    # And z matters at every pixel.
    with tf.GradientTape() as tape:
        tape.watch(z)
        logit = decoder(z, tf.constant(x))[0, i, j, 0]
    assert np.abs(tape.gradient(logit, z).numpy()[0]).max() > 0


def test_masked_conv_masks_and_validation():
    mask = kvc.layers.masked_conv2d.causal_mask((3, 3), 1, 1, "A")[..., 0, 0]
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    mask = kvc.layers.masked_conv2d.causal_mask((3, 3), 1, 1, "B")[..., 0, 0]
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="mask_type"):
        kvc.layers.MaskedConv2D("C", 4, 3)
    with pytest.raises(ValueError, match="odd"):
        kvc.layers.MaskedConv2D("A", 4, 4)


def test_resnet_encoder_shapes_and_config_round_trip():
    encoder = kvc.networks.ResNetEncoder(6, channels=8, hidden_dim=16)
    mu, logvar = encoder(tf.zeros([3, 28, 28, 1]))
    assert mu.shape == (3, 6) and logvar.shape == (3, 6)
    decoder = kvc.networks.PixelCNNDecoder(6, channels=8, kernel_sizes=(3,))
    clone = kvc.networks.PixelCNNDecoder.from_config(decoder.get_config())
    assert clone.get_config() == decoder.get_config()


def test_omniglot_vae_saves_and_loads(tmp_path):
    model = kvc.models.VAE(
        kvc.networks.ResNetEncoder(4, channels=8, hidden_dim=16),
        kvc.networks.PixelCNNDecoder(4, channels=8, kernel_sizes=(3,), first_kernel=3),
        kvc.likelihoods.Bernoulli((28, 28, 1)),
        4,
    )
    x = (np.random.default_rng(0).random((8, 28, 28, 1)) < 0.2).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(model.elbo(x), loaded.elbo(x))
    sample = loaded.decoder.generate(tf.zeros([1, 4]), greedy=True)
    assert sample.shape == (1, 28, 28, 1) and set(np.unique(sample)) <= {0.0, 1.0}
