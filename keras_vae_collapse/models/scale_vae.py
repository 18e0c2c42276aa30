import warnings

import keras
import tensorflow as tf

from keras_vae_collapse import distributions
from keras_vae_collapse.layers.posterior_scale import PosteriorScale
from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class ScaleVAE(VAE):
    """Scale-VAE (Song et al. 2024): the decoder reconstructs from the scaled
    posterior N(f * mu, sigma^2) while the KL uses the original N(mu, sigma^2);
    f = des_std / std(mu) per dimension (see `layers.PosteriorScale`).

    Generation decodes f * z with z ~ p(z); the importance-weighted likelihood
    uses the proposal N(mu, sigma^2 / f^2) in prior space (the reconstruction
    posterior mapped back through z -> f z, our decision). `encode` returns
    the scaled posterior (f * mu, logvar) the decoder reconstructs from, so
    MI and AU describe it (our decision; AU on f * mu is des_std^2 > 0.01 per
    dimension by construction, so only MI is evidence); `posterior` and every
    reported KL are those of the original posterior, as in the objective.
    `on_epoch_begin` closes the previous epoch's factor (not `on_epoch_end`:
    the validation after an epoch, and so the best checkpoint, must see the
    factor the epoch trained with); `fit` calls it, a custom loop must call
    it before every epoch.

    Optimiser: Adam (the registry entry's `config`). At the reference
    initialisation std(mu) is ~1.5e-5, below the epsilon guard's floor, so
    f starts at its cap (1000); a step in the encoder's last layer then moves
    the decoder's input f * mu in proportion to f^2, which plain SGD 1.0 does
    not survive (f stays at the cap, the means vanish; README, "Scale-VAE
    and the optimiser"). Its objective is not a bound: `iw_bounds` names
    the two likelihoods reported.

    Args:
        des_std: desired std of the scaled means (1.0; paper range 0.3 - 1.5).
        f_epochs: epochs with per-batch factors (1; paper range 1 - 7).
        **kwargs: the `VAE` arguments.
    """

    encodes_posterior = False

    def __init__(self, *args, des_std=1.0, f_epochs=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.des_std = float(des_std)
        self.f_epochs = int(f_epochs)
        self.scale = PosteriorScale(self.des_std, self.f_epochs, name="scale")

    def decoder_mean(self, mu, training):
        return self.scale(mu, training=training)

    def compute_terms(self, x, training=False):
        """The base terms plus `bound_kl`: KL(N(mu, sigma^2 / f^2) || N(0, I)),
        the prior-space posterior of the model that samples f * z, so that
        `elbo` bounds its log p(x) (the objective's KL does not)."""
        terms = super().compute_terms(x, training=training)
        terms["bound_kl"] = distributions.kl_to_prior(
            *self.proposal_params(terms["mu"], terms["logvar"], training)
        )
        return terms

    def representation(self, mu, logvar):
        return self.scale(mu, training=False), logvar

    def generation_latent(self, z):
        return self.scale.current_factor() * z

    def proposal_params(self, mu, logvar, training=False):
        """N(mu, sigma^2 / f^2): the reconstruction posterior N(f mu, sigma^2)
        in prior space, with the factor the last decoding used."""
        factor = tf.stop_gradient(self.scale.used_factor(training))
        return mu, logvar - 2.0 * tf.math.log(factor)

    def iw_bounds(self):
        return {
            "iw_nll": "log p(x) of the model that samples: f * z, z ~ N(0, I)",
            "iw_nll_unscaled": "log p(x) of the decoder fed z ~ N(0, I) "
            "unscaled, with the scaled posterior as proposal (the paper's NLL, "
            "our reading)",
        }

    def log_priors(self, z):
        """The prior of each bound at the prior-space samples z: N(0, I)
        (`iw_nll`), and for `iw_nll_unscaled` the density of z when the
        decoder's input f * z is N(0, I): N(f z; 0, I) * prod(f)."""
        priors = super().log_priors(z)
        factor = tf.stop_gradient(self.scale.current_factor())
        unit = distributions.prior(self.latent_dim, z.dtype)
        priors["iw_nll_unscaled"] = unit.log_prob(factor * z) + tf.reduce_sum(
            tf.math.log(factor)
        )
        return priors

    def on_epoch_begin(self, epoch, logs=None):
        """Closes the previous epoch's factor (`PosteriorScale.begin_epoch`):
        at an epoch's end the model keeps the factor it trained and was
        validated with, so a best-checkpoint reload restores that model."""
        self.scale.begin_epoch()

    def on_epoch_end(self, epoch, logs=None):
        """Logs `scale_factor`: the mean factor of evaluation now."""
        if logs is not None:
            logs["scale_factor"] = float(tf.reduce_mean(self.scale.current_factor()))

    def training_report(self):
        return {"scale_factor": [float(f) for f in self.scale.current_factor()]}

    def prepare_fit(self, x, batch_size=None, validation_data=None):
        """Warns when the optimizer is plain SGD (see the class docstring)."""
        if isinstance(getattr(self, "optimizer", None), keras.optimizers.SGD):
            warnings.warn(
                "Scale-VAE with plain SGD: f starts at its cap (1000) and the "
                "decoder's input moves f^2 times a step in the encoder's last "
                "layer; at lr 1.0 it collapsed on the synthetic data where "
                "Adam(1e-3) did not (README, 'Scale-VAE and the optimiser')",
                stacklevel=2,
            )

    def get_config(self):
        config = super().get_config()
        config.update({"des_std": self.des_std, "f_epochs": self.f_epochs})
        return config
