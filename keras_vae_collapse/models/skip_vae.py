import keras

from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class SkipVAE(VAE):
    """Skip-VAE (Dieng et al. 2019, "Avoiding latent variable collapse with
    generative skip models"): the decoder sees z at its output layer too, so
    the latent cannot be washed out by the recurrence. The objective is the
    VAE's.

    Its decoder must have a `skip_latent` option, which this model switches
    on: `TextLSTMDecoder` (z also at the vocabulary layer) and
    `PixelCNNV2Decoder` (z also at every block of the main stack and the
    head).

    Args:
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, encoder, decoder, *args, **kwargs):
        if not hasattr(decoder, "skip_latent"):
            raise ValueError(
                "Skip-VAE needs a decoder with skip connections to its output "
                "(TextLSTMDecoder, PixelCNNV2Decoder); "
                f"{type(decoder).__name__} has none"
            )
        if decoder.built and not decoder.skip_latent:
            raise ValueError(
                "Skip-VAE needs an unbuilt decoder (its skip weights are made "
                "when it is built)"
            )
        decoder.skip_latent = True
        super().__init__(encoder, decoder, *args, **kwargs)
