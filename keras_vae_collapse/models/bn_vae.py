import keras

from keras_vae_collapse.layers.batch_norm_mean import BatchNormMean
from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class BNVAE(VAE):
    """BN-VAE (Zhu et al. 2020): batch normalisation of the posterior mean with
    a fixed gamma, so the expected KL is at least n * gamma^2 / 2.

    Args:
        gamma: the fixed BN scale (0.5 - 0.7 typical).
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, *args, gamma=0.6, **kwargs):
        super().__init__(
            *args, posterior_transform=BatchNormMean(gamma, name="bn_mean"), **kwargs
        )
        self.gamma = float(gamma)

    def get_config(self):
        config = super().get_config()
        config.pop("posterior_transform")
        config["gamma"] = self.gamma
        return config
