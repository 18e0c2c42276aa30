"""The networks of a dataset config (`configs.get_config`)."""

from keras_vae_collapse.likelihoods import Bernoulli, TokenCategorical
from keras_vae_collapse.networks import (
    PixelCNNV2Decoder,
    ResNetEncoder,
    TextLSTMDecoder,
    TextLSTMEncoder,
)

IMAGE_SHAPE = (28, 28, 1)


def _text_lstm(config, vocab_size):
    n, emb, hidden = config["latent_dim"], config["embedding_dim"], config["hidden_dim"]
    return (
        TextLSTMEncoder(vocab_size, n, emb, hidden),
        TextLSTMDecoder(vocab_size, n, emb, hidden, dropout=config["dropout"]),
        TokenCategorical(vocab_size),
    )


def _resnet_pixelcnn(config, vocab_size=None):
    n = config["latent_dim"]
    encoder = ResNetEncoder(
        n,
        channels=config["encoder_channels"],
        num_blocks=config["encoder_blocks"],
        hidden_dim=config["encoder_hidden"],
    )
    decoder = PixelCNNV2Decoder(
        n,
        IMAGE_SHAPE,
        channels=config["decoder_channels"],
        kernel_sizes=config["kernel_sizes"],
        latent_maps=config["latent_maps"],
    )
    return encoder, decoder, Bernoulli(IMAGE_SHAPE)


#: config["architecture"] -> builder of (encoder, decoder, likelihood).
ARCHITECTURES = {"text_lstm": _text_lstm, "resnet_pixelcnn": _resnet_pixelcnn}


def build_networks(config, vocab_size=None):
    """(encoder, decoder, likelihood) of a config's `architecture`."""
    name = config["architecture"]
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; known: {list(ARCHITECTURES)}")
    return ARCHITECTURES[name](config, vocab_size)
