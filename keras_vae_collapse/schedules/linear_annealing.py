import keras
import tensorflow as tf

from keras_vae_collapse.schedules.kl_schedule import KLSchedule


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class LinearAnnealing(KLSchedule):
    """Linear KL annealing of He et al. 2019 (after Bowman et al. 2016).

    beta starts at `kl_start` and grows by (1 - kl_start) / (warm_up_epochs *
    steps_per_epoch) every training step, capped at 1; the weight of step t
    (1-based) is min(1, kl_start + t * rate).

    Args:
        steps_per_epoch: number of training steps in one epoch.
        kl_start: initial weight (0.1 in the papers' "+ anneal" rows).
        warm_up_epochs: epochs until beta reaches 1 (10 in the papers).
    """

    def __init__(self, steps_per_epoch, kl_start=0.1, warm_up_epochs=10):
        if int(steps_per_epoch) < 1:
            raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
        if not 0.0 <= kl_start <= 1.0:
            raise ValueError(f"kl_start must be in [0, 1], got {kl_start}")
        if not warm_up_epochs > 0:
            raise ValueError(f"warm_up_epochs must be > 0, got {warm_up_epochs}")
        self.steps_per_epoch = int(steps_per_epoch)
        self.kl_start = float(kl_start)
        self.warm_up_epochs = float(warm_up_epochs)

    @property
    def rate(self):
        return (1.0 - self.kl_start) / (self.warm_up_epochs * self.steps_per_epoch)

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        return tf.minimum(1.0, self.kl_start + step * self.rate)

    def get_config(self):
        return {
            "steps_per_epoch": self.steps_per_epoch,
            "kl_start": self.kl_start,
            "warm_up_epochs": self.warm_up_epochs,
        }
