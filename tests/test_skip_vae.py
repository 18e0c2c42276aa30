"""Skip-VAE: z reaches the vocabulary layer directly, so the logits depend
on z even when every recurrent path of z is cut; a decoder without the
option is refused with a clear error; the option survives saving."""

import keras
import numpy as np
import pytest

import keras_vae_collapse as kvc
from keras_vae_collapse.models import registry

V, N = 12, 3


def skip_vae():
    keras.utils.set_random_seed(0)
    return registry.build(
        "skip-vae",
        kvc.networks.TextLSTMEncoder(V, N, 8, 8),
        kvc.networks.TextLSTMDecoder(V, N, 8, 8, dropout=0.0),
        kvc.likelihoods.TokenCategorical(V),
        N,
        seed=0,
    )


def test_z_reaches_the_logits_through_the_skip_alone():
    model = skip_vae()
    x = np.array([[1, 4, 5, 6, 2], [1, 7, 3, 2, 0]], np.int32)
    model.build(x.shape)
    decoder = model.decoder
    assert decoder.skip_latent and decoder.head.kernel.shape == (8 + N, V)
    # Cut z's recurrent paths: the initial state and the step inputs.
    decoder.latent_to_cell.kernel.assign(np.zeros((N, 8), np.float32))
    kernel = decoder.lstm.cell.kernel.numpy()
    kernel[8:] = 0.0  # the rows that read z at every step
    decoder.lstm.cell.kernel.assign(kernel)
    z = np.random.default_rng(0).normal(size=(2, 2, N)).astype(np.float32)
    a, b = (decoder(zi, x, training=False).numpy() for zi in z)
    # The change of the logits is exactly the skip's linear map of the change of z.
    w = decoder.head.kernel.numpy()[8:]
    expected = np.broadcast_to(((z[1] - z[0]) @ w)[:, None, :], a.shape)
    np.testing.assert_allclose(b - a, expected, atol=1e-5)
    assert np.abs(b - a).max() > 1e-4


def test_a_decoder_without_skips_is_refused():
    decoder = kvc.networks.PixelCNNDecoder(N, (28, 28, 1), channels=4)  # v1
    with pytest.raises(ValueError, match="skip connections"):
        registry.build(
            "skip-vae",
            kvc.networks.MLPEncoder(N),
            decoder,
            kvc.likelihoods.Bernoulli((28, 28, 1)),
            N,
        )


def test_the_option_is_saved():
    model = skip_vae()
    model.build((2, 5))
    clone = type(model).from_config(model.get_config())
    assert clone.decoder.skip_latent
    plain = kvc.networks.TextLSTMDecoder(V, N, 8, 8)
    assert plain.get_config()["skip_latent"] is False


def pixelcnn_skip_vae(skip=True):
    keras.utils.set_random_seed(0)
    decoder = kvc.networks.PixelCNNV2Decoder(N, channels=8, kernel_sizes=(5, 3, 3, 3))
    networks = (kvc.networks.MLPEncoder(N), decoder)
    if not skip:
        return kvc.models.VAE(*networks, kvc.likelihoods.Bernoulli((28, 28, 1)), N)
    return registry.build(
        "skip-vae", *networks, kvc.likelihoods.Bernoulli((28, 28, 1)), N, seed=0
    )


def images(batch, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((batch, 28, 28, 1)) < 0.3).astype(np.float32)


@pytest.mark.parametrize("skip", [True, False])
def test_pixelcnn_z_reaches_the_logits_through_the_skips_alone(skip):
    model = pixelcnn_skip_vae(skip)
    x = images(2)
    model.build(x.shape)
    decoder = model.decoder
    assert decoder.skip_latent is skip and len(decoder.skips) == (4 if skip else 0)
    # Cut the path of z into the masked stack: only the skips remain.
    decoder.first_latent.kernel.assign(np.zeros_like(decoder.first_latent.kernel))
    z = np.random.default_rng(1).normal(size=(2, 2, N)).astype(np.float32)
    a, b = (decoder(zi, x, training=False).numpy() for zi in z)
    change = np.abs(b - a).max()
    if skip:
        assert change > 1e-3
    else:
        assert change == 0.0


@pytest.mark.parametrize("i,j", [(0, 0), (9, 17), (27, 27)])
def test_pixelcnn_skips_keep_the_decoder_causal(i, j):
    import tensorflow as tf

    model = pixelcnn_skip_vae()
    model.build((2, 28, 28, 1))
    x = tf.constant(images(2, seed=2))
    z = tf.constant(np.random.default_rng(2).normal(size=(2, N)).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logit = model.decoder(z, x, training=False)[0, i, j, 0]
    grad = np.abs(tape.gradient(logit, x).numpy()[0, ..., 0]).reshape(-1)
    position = i * 28 + j
    assert grad[position:].max() == 0.0
    if position:
        assert grad[:position].max() > 0.0


def test_pixelcnn_skip_vae_saves_and_loads(tmp_path):
    model = pixelcnn_skip_vae()
    x = images(8)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.decoder.skip_latent and len(loaded.decoder.skips) == 4
    np.testing.assert_array_equal(model.elbo(x), loaded.elbo(x))


def test_pixelcnn_skip_flag_cannot_change_after_build():
    decoder = kvc.networks.PixelCNNV2Decoder(N, channels=8, kernel_sizes=(3, 3, 3))
    decoder(np.zeros((1, N), np.float32), images(1))
    with pytest.raises(ValueError, match="before the decoder is built"):
        decoder.skip_latent = True
    decoder.skip_latent = False  # unchanged: fine
