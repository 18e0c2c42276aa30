import keras

from keras_vae_collapse.layers.du_posterior import DUPosterior
from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class DUVAE(VAE):
    """DU-VAE (Shen et al. 2021): BN on mu with a learnable gamma of fixed RMS
    (diversity), a variance floor and dropout on the variance (uncertainty).

    The floor and the dropout are active once the KL weight has reached 1, the
    dropout only in training. The loss uses the posterior with dropout; the
    reported KL (`kl`, `encode`, metrics) the posterior without it (the base
    handles a transform's third output). The papers pair it with
    `LinearAnnealing(kl_start=0, warm_up_epochs=10)`, the registry's default.

    Args:
        gamma: target RMS of the BN scale (0.5).
        p_drop: variance dropout rate (0.2 text, 0.1 Omniglot).
        delta_rate: variance-floor numerator (1.0).
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, *args, gamma=0.5, p_drop=0.2, delta_rate=1.0, **kwargs):
        super().__init__(
            *args,
            posterior_transform=DUPosterior(gamma, p_drop, delta_rate, name="du"),
            **kwargs,
        )
        self.gamma = float(gamma)
        self.p_drop = float(p_drop)
        self.delta_rate = float(delta_rate)

    def transform_arguments(self):
        return {"active": self.kl_weight() >= 1.0}

    def get_config(self):
        config = super().get_config()
        config.pop("posterior_transform")
        config.update(
            {"gamma": self.gamma, "p_drop": self.p_drop, "delta_rate": self.delta_rate}
        )
        return config
