import keras
import tensorflow as tf

from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class Autoregressive(VAE):
    """The decoder alone, with no latent: the LSTM language model (text) or
    the PixelCNN (images) that every VAE row is judged against (He et al.
    2019, Tables 1-2, LSTM-LM and PixelCNN rows; Kim et al. 2018's
    `autoreg`).

    The posterior is the prior and the decoder is always fed z = 0, so
    log p(x|z) = log p(x): the KL is 0, the ELBO is the exact log-likelihood,
    and the IW-NLL is exact with any number of samples. The networks are
    those of the VAE it is compared with; the encoder is built, so every
    model has the same preset format, but frozen and never called in
    training; `encode` and the serving export refuse it (no features).
    Registered as `lstm-lm` (text) and `pixelcnn` (images).

    Args:
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not trained: the optimizers hold the decoder's slots only, so a
        # checkpoint's optimizer state matches the model that reloads it.
        # (An encoder deserialised as non-trainable has trainable sublayers,
        # and Keras's setter does not reach them unless the value changes.)
        self.encoder.trainable = True
        self.encoder.trainable = False

    def build(self, input_shape):
        super().build(input_shape)
        shape = [2 if d is None else int(d) for d in input_shape]
        shape[0] = 2
        self.encoder(tf.zeros(shape, self.likelihood.data_dtype), training=False)

    #: No latent, so no encoder to give features or to serve.
    has_encoder = False

    def encode(self, x, batch_size=256):
        raise ValueError(
            f"{type(self).__name__} is the decoder alone (no latent): it has no "
            "encoder and no features"
        )

    def _encode_batch(self, x):
        return self.encode(x)

    def iw_bounds(self):
        return {"iw_nll": "exact log p(x): no latent, every importance weight is p(x)"}

    def transformed_posterior(self, x, training=False):
        zeros = tf.zeros([tf.shape(x)[0], self.latent_dim], tf.float32)
        return zeros, zeros, zeros

    def decoder_mean(self, mu, training):
        return tf.zeros_like(mu)

    def reconstruction_latent(self, mu, logvar, training):
        return tf.zeros_like(mu)

    def generation_latent(self, z):
        return tf.zeros_like(z)
