"""Export of encoders as TensorFlow Serving SavedModels."""

from keras_vae_collapse.export.serving import export_encoder

__all__ = ["export_encoder"]
