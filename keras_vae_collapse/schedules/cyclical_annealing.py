import keras
import tensorflow as tf

from keras_vae_collapse.schedules.kl_schedule import KLSchedule


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class CyclicalAnnealing(KLSchedule):
    """Cyclical KL annealing of Fu et al. 2019 (`frange_cycle_linear`).

    `total_steps` are split into `num_cycles` cycles of length
    P = total_steps / num_cycles; in each cycle beta ramps linearly from
    `start` to `stop` over the first `ratio` of the cycle and then holds
    `stop`. After `total_steps`, beta stays at `stop`. Step t (1-based) uses the
    value of iteration t - 1 of the reference code:
    min(stop, start + (stop - start) * ((t - 1) mod P) / (P * ratio)).

    Args:
        total_steps: number of training steps covered by the cycles.
        num_cycles: M, the number of cycles (4).
        ratio: R, the proportion of each cycle spent increasing beta (0.5).
        start: beta at the start of each cycle (0; 0.1 in their text code).
        stop: beta at the end of the ramp (1).
    """

    def __init__(self, total_steps, num_cycles=4, ratio=0.5, start=0.0, stop=1.0):
        if int(total_steps) < 1 or int(num_cycles) < 1:
            raise ValueError("total_steps and num_cycles must be >= 1")
        if not 0.0 < ratio <= 1.0:
            raise ValueError(f"ratio must be in (0, 1], got {ratio}")
        if not 0.0 <= start <= stop:
            raise ValueError(f"need 0 <= start <= stop, got {start}, {stop}")
        self.total_steps = int(total_steps)
        self.num_cycles = int(num_cycles)
        self.ratio = float(ratio)
        self.start = float(start)
        self.stop = float(stop)

    def __call__(self, step):
        period = self.total_steps / self.num_cycles
        i = tf.maximum(tf.cast(step, tf.float32) - 1.0, 0.0)
        in_cycle = tf.math.floormod(i, period)
        ramp = self.start + (self.stop - self.start) * in_cycle / (period * self.ratio)
        beta = tf.minimum(self.stop, ramp)
        return tf.where(i >= float(self.total_steps), self.stop, beta)

    def get_config(self):
        return {
            "total_steps": self.total_steps,
            "num_cycles": self.num_cycles,
            "ratio": self.ratio,
            "start": self.start,
            "stop": self.stop,
        }
