"""Encoders and decoders: text LSTMs, MLPs."""

from keras_vae_collapse.networks.mlp_decoder import MLPDecoder
from keras_vae_collapse.networks.mlp_encoder import MLPEncoder
from keras_vae_collapse.networks.text_lstm_decoder import TextLSTMDecoder
from keras_vae_collapse.networks.text_lstm_encoder import TextLSTMEncoder

__all__ = ["MLPDecoder", "MLPEncoder", "TextLSTMDecoder", "TextLSTMEncoder"]
