import keras
import tensorflow as tf

from keras_vae_collapse.layers.global_moments import global_batch_moments


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class PosteriorScale(keras.layers.Layer):
    """The stateful scale of Scale-VAE (Song et al. 2024): mu -> f * mu.

    f_d = des_std / std(mu_d) over the mini-batch (global batch across
    replicas; unbiased std with an epsilon guard), a constant for
    back-propagation (stop gradient: with gradients through std(mu), f * mu is
    invariant to rescaling mu and mu collapses while f explodes). During the
    first `f_epochs` epochs each batch uses its own f; afterwards every epoch
    uses the average of the previous epoch's per-batch factors. A batch of one
    keeps the previous factor and is not counted. Evaluation uses the current
    epoch's running average during the first `f_epochs` epochs, then the
    epoch factor. State (non-trainable variables, saved and exported):
    `factor`, `last_factor`, `factor_sum`, `factor_count`, `epoch`;
    `end_epoch()` closes an epoch; ScaleVAE calls it through `begin_epoch()`
    when the next epoch starts.

    Args:
        des_std: the desired standard deviation of the scaled means (the paper
            searches 0.3 ... 1.5; 1.0 here).
        f_epochs: epochs with per-batch factors (the paper searches 1 ... 7).
        epsilon: variance guard.
    """

    def __init__(self, des_std=1.0, f_epochs=1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if not des_std > 0:
            raise ValueError(f"des_std must be > 0, got {des_std}")
        if int(f_epochs) < 0:
            raise ValueError(f"f_epochs must be >= 0, got {f_epochs}")
        self.des_std = float(des_std)
        self.f_epochs = int(f_epochs)
        self.epsilon = float(epsilon)

    def build(self, mu_shape):
        n = int(mu_shape[-1])

        def state(name, shape=(n,), initializer="ones", dtype="float32"):
            return self.add_weight(
                shape=shape,
                initializer=initializer,
                dtype=dtype,
                trainable=False,
                aggregation="only_first_replica",
                name=name,
            )

        self.factor = state("factor")
        self.last_factor = state("last_factor")
        self.factor_sum = state("factor_sum", initializer="zeros")
        self.factor_count = state("factor_count", (), "zeros")
        self.epoch = state("epoch", (), "zeros", "int32")

    def batch_factor(self, mu):
        """(des_std / std(mu) over the global batch, global batch size)."""
        _, variance, count = global_batch_moments(tf.stop_gradient(mu))
        unbiased = variance * count / tf.maximum(count - 1.0, 1.0)
        factor = self.des_std / tf.sqrt(unbiased + self.epsilon)
        return tf.where(count > 1.0, factor, self.last_factor), count

    def current_factor(self):
        """The factor of evaluation and generation."""
        running = self.factor_sum / tf.maximum(self.factor_count, 1.0)
        warm = (self.epoch < self.f_epochs) & (self.factor_count > 0)
        return tf.where(warm, running, self.factor)

    def used_factor(self, training=False):
        """The factor the last `call` applied: in training, the batch's own
        during the first `f_epochs` epochs, else the epoch factor."""
        if not training:
            return self.current_factor()
        return tf.where(self.epoch < self.f_epochs, self.last_factor, self.factor)

    def call(self, mu, training=False):
        if not training:
            return tf.stop_gradient(self.current_factor()) * mu
        factor, count = self.batch_factor(mu)
        counted = tf.cast(count > 1.0, factor.dtype)
        self.last_factor.assign(factor)
        self.factor_sum.assign_add(counted * factor)
        self.factor_count.assign_add(counted)
        used = tf.where(self.epoch < self.f_epochs, factor, self.factor)
        return tf.stop_gradient(used) * mu

    def begin_epoch(self):
        """Closes the previous epoch if it saw a batch (`end_epoch`); a
        no-op before the first epoch and after a batch-less one."""
        if self.built and float(self.factor_count.numpy()) > 0:
            self.end_epoch()

    def end_epoch(self):
        """Closes a training epoch: its average factor becomes the factor."""
        if float(self.factor_count.numpy()) > 0:
            self.factor.assign(self.factor_sum / self.factor_count)
        self.factor_sum.assign(tf.zeros_like(self.factor_sum))
        self.factor_count.assign(0.0)
        self.epoch.assign_add(1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "des_std": self.des_std,
                "f_epochs": self.f_epochs,
                "epsilon": self.epsilon,
            }
        )
        return config
