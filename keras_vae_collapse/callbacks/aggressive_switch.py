import keras

from keras_vae_collapse.metrics.data import posterior_parameters
from keras_vae_collapse.metrics.mutual_information import mutual_information


class AggressiveSwitch(keras.callbacks.Callback):
    """Turns an `AggressiveVAE`'s aggressive mode off by validation MI.

    At the end of every epoch while aggressive, computes the mutual information
    on `validation_data` (He et al.'s per-batch estimator by default) and
    applies the model's rule (`AggressiveVAE.record_validation_mi`): text, off
    at the first drop; images, off after `patience` epochs without a new best.
    Writes `val_mi` (when computed) and `aggressive` (the flag for the next
    epoch) into the logs. `AggressiveVAE.fit` adds one when given
    `validation_data`.

    Args:
        validation_data: array, (x,) tuple or batched tf.data.Dataset.
        estimator: MI estimator, "batch" or "dataset".
        batch_size: batch size for array data.
        seed: base seed of the MI samples (epoch e uses seed + e).
        verbose: 1 prints a line when aggressive mode ends.
    """

    def __init__(
        self, validation_data, estimator="batch", batch_size=50, seed=0, verbose=1
    ):
        super().__init__()
        if isinstance(validation_data, (tuple, list)):
            validation_data = validation_data[0]
        self.validation_data = validation_data
        self.estimator = estimator
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.verbose = verbose

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        model = self.model
        if int(model.aggressive.numpy()):
            mu, logvar, sizes = posterior_parameters(
                model, self.validation_data, self.batch_size
            )
            mi = mutual_information(
                mu, logvar, self.estimator, batch_size=sizes, seed=self.seed + epoch
            )
            logs.setdefault("val_mi", mi)
            still = model.record_validation_mi(mi)
            if not still and self.verbose:
                print(
                    f"\n[kvc] epoch {epoch + 1}: validation MI {mi:.4f}, "
                    "aggressive training switched off"
                )
        logs["aggressive"] = float(model.aggressive.numpy())
