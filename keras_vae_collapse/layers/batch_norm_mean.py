import keras
import tensorflow as tf

from keras_vae_collapse.layers.global_moments import global_batch_moments


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class BatchNormMean(keras.layers.Layer):
    """Batch normalisation of the posterior mean (BN-VAE, Zhu et al. 2020).

    mu <- gamma * (mu - mean_B) / sqrt(var_B + epsilon) + beta, logvar
    unchanged. BN-VAE: one fixed, non-trainable gamma for every dimension, so
    the expected KL over the data is at least n * gamma^2 / 2. DU-VAE
    (`learn_gamma=True`): a learnable per-dimension gamma vector rescaled in
    every forward pass to root-mean-square `gamma`. beta is learnable (init 0).
    Batch statistics are taken over the global batch across replicas;
    evaluation uses running statistics (PyTorch momentum 0.1 = Keras 0.9, the
    running variance unbiased as in PyTorch); a batch of one example uses the
    running statistics and does not update them.

    Args:
        gamma: the target scale (0.5 - 0.7 typical).
        learn_gamma: DU-VAE's learnable, renormalised gamma vector.
        momentum: running-statistics momentum (Keras convention, 0.9).
        epsilon: variance epsilon (1e-5).
    """

    def __init__(
        self, gamma=0.6, learn_gamma=False, momentum=0.9, epsilon=1e-5, **kwargs
    ):
        super().__init__(**kwargs)
        if not gamma > 0:
            raise ValueError(f"gamma must be > 0, got {gamma}")
        self.gamma = float(gamma)
        self.learn_gamma = bool(learn_gamma)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)

    def build(self, mu_shape, logvar_shape=None):
        n = int(mu_shape[-1])
        self.beta = self.add_weight(shape=(n,), initializer="zeros", name="beta")
        self.gamma_vector = self.add_weight(
            shape=(n,),
            initializer=keras.initializers.Constant(self.gamma),
            trainable=self.learn_gamma,
            name="gamma",
        )
        self.moving_mean = self.add_weight(
            shape=(n,),
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="moving_mean",
        )
        self.moving_variance = self.add_weight(
            shape=(n,),
            initializer="ones",
            trainable=False,
            aggregation="only_first_replica",
            name="moving_variance",
        )

    def scale(self):
        """The gamma vector in use (renormalised to RMS gamma if learned)."""
        if not self.learn_gamma:
            return self.gamma_vector
        rms = tf.sqrt(tf.reduce_mean(tf.square(self.gamma_vector)))
        return self.gamma * self.gamma_vector / rms

    def call(self, mu, logvar, training=False):
        if training:
            mean, variance, count = global_batch_moments(mu)
            use = count > 1.0
            unbiased = variance * count / tf.maximum(count - 1.0, 1.0)
            m = self.momentum
            self.moving_mean.assign(
                tf.where(use, m * self.moving_mean + (1 - m) * mean, self.moving_mean)
            )
            self.moving_variance.assign(
                tf.where(
                    use,
                    m * self.moving_variance + (1 - m) * unbiased,
                    self.moving_variance,
                )
            )
            mean = tf.where(use, mean, self.moving_mean)
            variance = tf.where(use, variance, self.moving_variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        normalised = (mu - mean) / tf.sqrt(variance + self.epsilon)
        return self.scale() * normalised + self.beta, logvar

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "gamma": self.gamma,
                "learn_gamma": self.learn_gamma,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
            }
        )
        return config
