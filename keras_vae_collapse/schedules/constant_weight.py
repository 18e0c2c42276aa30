import keras
import tensorflow as tf

from keras_vae_collapse.schedules.kl_schedule import KLSchedule


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class ConstantWeight(KLSchedule):
    """Constant KL weight: beta = 1 is the plain VAE, beta < 1 the beta-VAE
    of the collapse comparisons (Higgins et al. 2017; 0.2 ... 0.8 in the tables).

    Args:
        beta: the KL weight, >= 0.
    """

    def __init__(self, beta=1.0):
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        self.beta = float(beta)

    def __call__(self, step):
        return tf.constant(self.beta, tf.float32)

    def get_config(self):
        return {"beta": self.beta}
