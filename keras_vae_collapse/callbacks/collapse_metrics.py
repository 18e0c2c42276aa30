import keras
import tensorflow as tf

from keras_vae_collapse.metrics.collapse_statistics import collapse_statistics
from keras_vae_collapse.metrics.importance_weighted_nll import iw_nll


class CollapseMetrics(keras.callbacks.Callback):
    """Writes validation collapse metrics into the epoch logs.

    At the end of each epoch computes on `validation_data` the mean KL, both
    estimates of the mutual information (`val_mi_batch`, He et al.'s per
    batch; `val_mi_dataset`, over the whole data: see
    `metrics.collapse_statistics`) and the active units, and every
    `nll_every` epochs the importance-weighted NLL, as `val_kl`, `val_au` and
    `val_nll` (plus `val_ppl` for text). Place it before
    `ModelCheckpoint` / `EarlyStopping` / TensorBoard in the callback list so
    they see these keys. The values of every epoch are kept in `self.history`.

    Args:
        validation_data: array or batched tf.data.Dataset (batched as in
            training: the batch MI estimate depends on the batch size).
        nll_every: compute IW-NLL every this many epochs (0: never).
        num_samples: importance samples of the IW-NLL.
        num_examples: use only the first examples of the data.
        batch_size: batch size for array data: the training batch size.
        seed: seed of the sampled estimators.
    """

    def __init__(
        self,
        validation_data,
        nll_every=0,
        num_samples=100,
        num_examples=None,
        batch_size=None,
        seed=0,
    ):
        super().__init__()
        if batch_size is None and not isinstance(validation_data, tf.data.Dataset):
            raise ValueError(
                "CollapseMetrics on arrays needs batch_size (the training batch "
                "size: He et al.'s MI estimate depends on it)"
            )
        self.validation_data = validation_data
        self.nll_every = int(nll_every)
        self.num_samples = int(num_samples)
        self.num_examples = num_examples
        self.batch_size = batch_size
        self.seed = seed
        self.history = []

    def compute(self, epoch):
        stats = collapse_statistics(
            self.model,
            self.validation_data,
            batch_size=self.batch_size,
            num_examples=self.num_examples,
            seed=self.seed,
        )
        values = {
            "val_kl": stats["kl"],
            "val_mi_batch": stats["mi_batch"],
            "val_mi_dataset": stats["mi_dataset"],
            "val_au": stats["au"],
        }
        if self.nll_every and (epoch + 1) % self.nll_every == 0:
            nll = iw_nll(
                self.model,
                self.validation_data,
                num_samples=self.num_samples,
                batch_size=self.batch_size or 50,
                num_examples=self.num_examples,
                seed=self.seed,
            )
            values["val_nll"] = nll["nll"]
            if "perplexity" in nll:
                values["val_ppl"] = nll["perplexity"]
        return values

    def on_epoch_end(self, epoch, logs=None):
        values = self.compute(epoch)
        self.history.append(dict(values, epoch=epoch))
        if logs is not None:
            logs.update(values)
