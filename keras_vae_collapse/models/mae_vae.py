import keras
import tensorflow as tf

from keras_vae_collapse.models.vae import VAE


def mutual_posterior_divergence(mu, logvar):
    """MAE's statistics of the batch's posteriors N(mu_i, diag exp(logvar_i)):
    (m [n], s): m_d the mean over ordered pairs i != j of KL_d(q_i || q_j) per
    dimension, s the unbiased standard deviation over those pairs of
    K_ij = sum_d KL_d(q_i || q_j) (XuezheMax/mae `gaussian_encoder._postKL`).
    A batch of one example has no pairs: both are 0 (s: 1e-6)."""
    mu_i, mu_j = mu[:, None, :], mu[None, :, :]
    lv_i, lv_j = logvar[:, None, :], logvar[None, :, :]
    kl = 0.5 * (
        tf.exp(lv_i - lv_j) + tf.square(mu_i - mu_j) * tf.exp(-lv_j) - (lv_i - lv_j) - 1
    )  # [B, B, n]
    batch = tf.shape(mu)[0]
    off = 1.0 - tf.eye(batch, dtype=mu.dtype)
    pairs = tf.cast(batch * (batch - 1), mu.dtype)
    mean = tf.reduce_sum(kl * off[:, :, None], axis=[0, 1]) / tf.maximum(pairs, 1.0)
    total = tf.reduce_sum(kl, axis=-1)
    deviation = (total - tf.reduce_sum(mean)) * off
    variance = tf.reduce_sum(tf.square(deviation)) / tf.maximum(pairs - 1.0, 1.0)
    # sqrt has an infinite slope at 0 (equal divergences, e.g. two examples
    # with equal variances): a floor far below any spread that matters.
    return mean, tf.sqrt(tf.maximum(variance, 1e-12))


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class MAE(VAE):
    """MAE (Ma, Zhou & Hovy 2019, "MAE: Mutual posterior-divergence
    regularization for variational autoencoders"): the loss adds
    -eta * sum_d log sigmoid(m_d) (posteriors of different examples should
    diverge, per dimension) and gamma * s (and diverge evenly), with m and s
    of `mutual_posterior_divergence` over each replica's batch. The ELBO
    reported is the VAE's, without them.

    MAE's code (XuezheMax/mae) is for images only and leaves eta and gamma at
    0; no text setting behind the papers' MAE rows is published. The
    defaults here lie in the grid of the paper's own ablation (eta 0.5 / 1 /
    2, gamma 0.1 / 0.5 / 1) and are ours.

    Args:
        eta: weight of the mean term (1.0).
        gamma: weight of the spread term (0.5).
        **kwargs: the `VAE` arguments.
    """

    def __init__(self, *args, eta=1.0, gamma=0.5, **kwargs):
        super().__init__(*args, **kwargs)
        if eta < 0 or gamma < 0:
            raise ValueError(f"eta and gamma must be >= 0, got {eta}, {gamma}")
        self.eta = float(eta)
        self.gamma = float(gamma)

    def regularizer(self, mu, logvar):
        """The MPD terms of the loss for one batch (a scalar)."""
        mean, std = mutual_posterior_divergence(mu, logvar)
        return -self.eta * tf.reduce_sum(tf.math.log_sigmoid(mean)) + self.gamma * std

    def per_example_loss(self, terms, beta):
        # A batch term: added to every example, so the batch mean carries it once.
        loss = super().per_example_loss(terms, beta)
        return loss + self.regularizer(terms["mu"], terms["logvar"])

    def get_config(self):
        config = super().get_config()
        config.update(eta=self.eta, gamma=self.gamma)
        return config
