import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class MaskedFreeBits:
    """Free bits as "FBP" in the text-VAE code of Li et al. / He et al.

    Per example and per dimension, the KL term is kept only where it exceeds
    target_kl / n and dropped elsewhere (a mask, no max): dimensions below the
    threshold get no gradient from the KL term and contribute 0 to the loss.

    Args:
        target_kl: the total target KL in nats, shared evenly by the n
            dimensions.
    """

    def __init__(self, target_kl):
        if not target_kl >= 0:
            raise ValueError(f"target_kl must be >= 0, got {target_kl}")
        self.target_kl = float(target_kl)

    def __call__(self, kl_dims):
        """kl_dims: [B, n] per-example, per-dimension KL -> [B] KL term."""
        threshold = self.target_kl / tf.cast(tf.shape(kl_dims)[-1], kl_dims.dtype)
        mask = tf.cast(kl_dims > threshold, kl_dims.dtype)
        return tf.reduce_sum(mask * kl_dims, axis=-1)

    def get_config(self):
        return {"target_kl": self.target_kl}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
