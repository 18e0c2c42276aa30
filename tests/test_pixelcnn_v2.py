"""PixelCNNV2Decoder and ResNetEncoder against the reference of He et al. 2019
(jxhe/vae-lagging-encoder): causality, sizes, batch norm, serialization."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_vae_collapse as kvc

# Trainable parameters of the reference networks (BN running statistics are
# buffers there and non-trainable weights here, so excluded from both).
# Obtained with torch 2.13.0 (CPU) from jxhe/vae-lagging-encoder at cdc4eb9:
# PixelCNNDecoderV2(args) and ResNetEncoderV2(args) with
# args = argparse.Namespace(**config/config_omniglot.py params), as image.py
# builds them, then sum(p.numel() for p in m.parameters() if p.requires_grad).
# (Shims: empty modules/__init__.py files, a stub for the unused numpy import.)
REFERENCE_DECODER_PARAMS = 894_400
REFERENCE_ENCODER_PARAMS = 752_448
# Their BN running means and variances (sum of numel of the running_* buffers).
REFERENCE_DECODER_BN_STATS = 6_144
REFERENCE_ENCODER_BN_STATS = 2_176

SIZE = 28


def count(weights):
    return sum(int(np.prod(v.shape)) for v in weights)


def binary_images(batch, seed=0, p=0.5):
    rng = np.random.default_rng(seed)
    return (rng.random((batch, SIZE, SIZE, 1)) < p).astype(np.float32)


def batch_norms(layer):
    return [
        sub
        for sub in layer._flatten_layers(include_self=False)
        if isinstance(sub, keras.layers.BatchNormalization)
    ]


def assert_causal(decoder, latent_dim, i, j, seed=0):
    """The logit of pixel (i, j) (moving BN statistics) has zero gradient
    w.r.t. itself and every later pixel, a nonzero one w.r.t. its left and
    upper neighbours, and depends on z."""
    x = tf.constant(binary_images(2, seed))
    z = tf.constant(np.random.default_rng(seed).standard_normal((2, latent_dim)))
    z = tf.cast(z, tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        logit = decoder(z, x, training=False)[0, i, j, 0]
    grad_x = np.abs(tape.gradient(logit, x).numpy()[0, ..., 0]).reshape(-1)
    grad_z = np.abs(tape.gradient(logit, z).numpy()[0])
    position = i * SIZE + j
    assert grad_x[position:].max() == 0.0
    if j > 0:
        assert grad_x[position - 1] > 0
    if i > 0:
        assert grad_x[position - SIZE] > 0
    if position > 0:
        assert grad_x[:position].max() > 0
    assert grad_z.max() > 0


@pytest.fixture(scope="module")
def paper_networks():
    decoder = kvc.networks.PixelCNNV2Decoder(32)
    encoder = kvc.networks.ResNetEncoder(32)
    x = tf.constant(binary_images(2))
    mu, logvar = encoder(x)
    logits = decoder(mu, x)
    return decoder, encoder, logits, mu, logvar


@pytest.mark.parametrize("i,j", [(0, 0), (0, 5), (7, 0), (13, 13), (27, 27)])
def test_logit_depends_only_on_earlier_pixels(i, j):
    # Four layers: one direct connection into a block, one to the output.
    decoder = kvc.networks.PixelCNNV2Decoder(4, channels=8, kernel_sizes=(5, 3, 3, 3))
    assert_causal(decoder, 4, i, j)


def test_paper_decoder_is_causal(paper_networks):
    decoder = paper_networks[0]
    assert_causal(decoder, 32, 14, 14, seed=1)


def test_output_shapes(paper_networks):
    _, _, logits, mu, logvar = paper_networks
    assert logits.shape == (2, SIZE, SIZE, 1)
    assert mu.shape == (2, 32) and logvar.shape == (2, 32)
    decoder = kvc.networks.PixelCNNV2Decoder(3, channels=4, kernel_sizes=(3, 3, 3))
    out = decoder(tf.zeros([5, 3]), tf.zeros([5, SIZE, SIZE, 1]), training=True)
    assert out.shape == (5, SIZE, SIZE, 1)


def test_parameter_counts_equal_the_reference(paper_networks):
    decoder, encoder = paper_networks[:2]
    assert count(decoder.trainable_weights) == REFERENCE_DECODER_PARAMS
    assert count(encoder.trainable_weights) == REFERENCE_ENCODER_PARAMS
    assert count(decoder.non_trainable_weights) == REFERENCE_DECODER_BN_STATS
    assert count(encoder.non_trainable_weights) == REFERENCE_ENCODER_BN_STATS


def test_batch_norm_has_the_pytorch_settings(paper_networks):
    decoder, encoder = paper_networks[:2]
    # decoder: first layer, 3 per block (12 blocks + 11 direct), head
    # encoder: 3 per residual block, after the last convolution
    for layer, expected in [(decoder, 1 + 3 * 23 + 1), (encoder, 3 * 3 + 1)]:
        norms = batch_norms(layer)
        assert len(norms) == expected
        for bn in norms:
            assert bn.momentum == pytest.approx(0.9)
            assert bn.epsilon == pytest.approx(1e-5)
    custom = kvc.networks.ResNetEncoder(2, 4, 1, 8, bn_momentum=0.5, bn_epsilon=1e-3)
    custom(tf.zeros([1, SIZE, SIZE, 1]))
    assert {(bn.momentum, bn.epsilon) for bn in batch_norms(custom)} == {(0.5, 1e-3)}


def test_resnet_strided_conv_is_centred_like_the_shortcut():
    # PyTorch's padding=1: output (1, 1) of the stride-2 3x3 convolution sees
    # input rows/columns 1..3, centred on pixel (2, 2) that the strided 1x1
    # shortcut takes (TF's "same" padding would see 2..4). Found with one
    # image per input pixel (the convolutions are linear: no bias), not by
    # gradients: oneDNN's (TF 2.21, CPU) input gradient of a strided 1x1
    # convolution of one channel is corrupt and can crash the process.
    encoder = kvc.networks.ResNetEncoder(2, channels=4, hidden_dim=8)
    encoder(tf.zeros([1, SIZE, SIZE, 1]))
    block = encoder.blocks[0]
    impulses = tf.reshape(tf.eye(SIZE * SIZE), [SIZE * SIZE, SIZE, SIZE, 1])

    def support(output):
        response = np.abs(output(impulses).numpy()[:, 1, 1]).max(-1)
        pixels = np.argwhere(response.reshape(SIZE, SIZE) > 0)
        return pixels.min(0).tolist(), pixels.max(0).tolist()

    assert support(lambda t: block.conv1(block.pad(t))) == ([1, 1], [3, 3])
    assert support(block.shortcut) == ([2, 2], [2, 2])


def test_config_round_trip():
    decoder = kvc.networks.PixelCNNV2Decoder(
        6, channels=8, kernel_sizes=(5, 3, 3), latent_maps=2, bn_momentum=0.8
    )
    config = decoder.get_config()
    assert config["kernel_sizes"] == [5, 3, 3] and config["bn_epsilon"] == 1e-5
    clone = kvc.networks.PixelCNNV2Decoder.from_config(config)
    assert clone.get_config() == config
    encoder = kvc.networks.ResNetEncoder(6, channels=8, hidden_dim=16)
    config = encoder.get_config()
    assert config["bn_momentum"] == 0.9 and config["bn_epsilon"] == 1e-5
    assert kvc.networks.ResNetEncoder.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="at least 3"):
        kvc.networks.PixelCNNV2Decoder(6, kernel_sizes=(3, 3))


def test_vae_saves_and_loads(tmp_path):
    model = kvc.models.VAE(
        kvc.networks.ResNetEncoder(4, channels=8, hidden_dim=16),
        kvc.networks.PixelCNNV2Decoder(4, channels=8, kernel_sizes=(3, 3, 3)),
        kvc.likelihoods.Bernoulli((SIZE, SIZE, 1)),
        4,
    )
    x = binary_images(8, p=0.2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    moving = [bn.moving_mean.numpy() for bn in batch_norms(model.decoder)]
    assert any(np.abs(m).max() > 0 for m in moving)  # training updated them
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.decoder, kvc.networks.PixelCNNV2Decoder)
    np.testing.assert_array_equal(model.elbo(x), loaded.elbo(x))
    loaded_moving = [bn.moving_mean.numpy() for bn in batch_norms(loaded.decoder)]
    for a, b in zip(moving, loaded_moving, strict=True):
        np.testing.assert_array_equal(a, b)
    sample = loaded.decoder.generate(tf.zeros([1, 4]), greedy=True)
    assert sample.shape == (1, SIZE, SIZE, 1)
    assert set(np.unique(sample)) <= {0.0, 1.0}
    # VAE.sample goes through generate too.
    assert loaded.sample(1, seed=3).shape == (1, SIZE, SIZE, 1)
