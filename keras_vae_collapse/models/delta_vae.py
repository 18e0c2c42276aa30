import keras

from keras_vae_collapse.layers.delta_posterior import DeltaPosterior
from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class DeltaVAE(VAE):
    """delta-VAE (Razavi et al. 2019), standard-normal-prior variant: the
    posterior is constrained so every latent dimension has KL >= delta.

    Args:
        delta: the per-dimension KL floor (0.15 in the comparisons).
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, *args, delta=0.15, **kwargs):
        super().__init__(
            *args, posterior_transform=DeltaPosterior(delta, name="delta"), **kwargs
        )
        self.delta = float(delta)

    def get_config(self):
        config = super().get_config()
        config.pop("posterior_transform")
        config["delta"] = self.delta
        return config
