"""Encoders and decoders: text LSTMs, Omniglot ResNet / PixelCNN, MLPs."""

from keras_vae_collapse.networks.mlp_decoder import MLPDecoder
from keras_vae_collapse.networks.mlp_encoder import MLPEncoder
from keras_vae_collapse.networks.pixelcnn_decoder import PixelCNNDecoder
from keras_vae_collapse.networks.pixelcnn_v2_decoder import PixelCNNV2Decoder
from keras_vae_collapse.networks.resnet_encoder import ResNetEncoder
from keras_vae_collapse.networks.text_lstm_decoder import TextLSTMDecoder
from keras_vae_collapse.networks.text_lstm_encoder import TextLSTMEncoder

__all__ = [
    "MLPDecoder",
    "MLPEncoder",
    "PixelCNNDecoder",
    "PixelCNNV2Decoder",
    "ResNetEncoder",
    "TextLSTMDecoder",
    "TextLSTMEncoder",
]
