import keras

from keras_vae_collapse.metrics.collapse_statistics import collapse_statistics
from keras_vae_collapse.metrics.importance_weighted_nll import iw_nll


class CollapseMetrics(keras.callbacks.Callback):
    """Writes validation collapse metrics into the epoch logs.

    At the end of each epoch computes on `validation_data` the mean KL, the
    mutual information (He et al. estimator by default) and the active units,
    and every `nll_every` epochs the importance-weighted NLL, as `val_kl`,
    `val_mi`, `val_au` and `val_nll` (plus `val_ppl` for text). Place it before
    `ModelCheckpoint` / `EarlyStopping` / TensorBoard in the callback list so
    they see these keys. The values of every epoch are kept in `self.history`.

    Args:
        validation_data: array or batched tf.data.Dataset.
        estimator: MI estimator, "batch" or "dataset".
        nll_every: compute IW-NLL every this many epochs (0: never).
        num_samples: importance samples of the IW-NLL.
        num_examples: use only the first examples of the data.
        batch_size: batch size for array data.
        seed: seed of the sampled estimators.
    """

    def __init__(
        self,
        validation_data,
        estimator="batch",
        nll_every=0,
        num_samples=100,
        num_examples=None,
        batch_size=50,
        seed=0,
    ):
        super().__init__()
        self.validation_data = validation_data
        self.estimator = estimator
        self.nll_every = int(nll_every)
        self.num_samples = int(num_samples)
        self.num_examples = num_examples
        self.batch_size = int(batch_size)
        self.seed = seed
        self.history = []

    def compute(self, epoch):
        stats = collapse_statistics(
            self.model,
            self.validation_data,
            estimator=self.estimator,
            batch_size=self.batch_size,
            num_examples=self.num_examples,
            seed=self.seed,
        )
        values = {"val_kl": stats["kl"], "val_mi": stats["mi"], "val_au": stats["au"]}
        if self.nll_every and (epoch + 1) % self.nll_every == 0:
            nll = iw_nll(
                self.model,
                self.validation_data,
                num_samples=self.num_samples,
                batch_size=self.batch_size,
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
