import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class FreeBits:
    """Free bits of Kingma et al. 2016 (the "free bits" of the IAF paper).

    Per latent dimension, the KL averaged over the batch is replaced by
    max(mean_b KL_bd, lambda): a dimension whose batch-average KL is below
    `lambda_` gets no gradient from the KL term. Returned per example so that the
    batch mean equals sum_d max(mean_b KL_bd, lambda). Under a distribution
    strategy the batch average is taken over each replica's batch.

    Args:
        lambda_: the per-dimension threshold in nats (0.25 by default).
    """

    def __init__(self, lambda_=0.25):
        if not lambda_ >= 0:
            raise ValueError(f"lambda_ must be >= 0, got {lambda_}")
        self.lambda_ = float(lambda_)

    def __call__(self, kl_dims):
        """kl_dims: [B, n] per-example, per-dimension KL -> [B] KL term."""
        batch_mean = tf.reduce_mean(kl_dims, axis=0, keepdims=True)
        kept = tf.where(batch_mean >= self.lambda_, kl_dims, self.lambda_)
        return tf.reduce_sum(kept, axis=-1)

    def get_config(self):
        return {"lambda_": self.lambda_}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
