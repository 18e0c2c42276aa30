import keras
import numpy as np

#: The reference schedules: He et al.'s text.py and image.py.
TEXT = {
    "patience": 2,
    "min_epoch": 15,
    "decay": 0.5,
    "max_decays": 5,
    "compare": "last",
}
IMAGES = {
    "patience": 20,
    "min_epoch": 0,
    "decay": 0.5,
    "max_decays": 5,
    "compare": "best",
}


class LearningRateDecay(keras.callbacks.Callback):
    """The reference training schedule of the text-VAE papers (He et al.
    2019, also used by BN-VAE and DU-VAE): learning-rate decay with a reload
    of the best checkpoint.

    After every epoch it reads the validation negative ELBO at beta = 1
    (`-logs["val_elbo"]`, which `VAE.test_step` reports whatever the KL
    schedule says) and, as the reference code does:
      1. keeps a copy of the network weights whenever the value is the best so
         far (`VAE.network_variables`: networks, transforms, batch-norm
         statistics; not the KL step or a method's switch, which the
         reference keeps in local variables);
      2. compares the value with a reference value: with `compare="last"`
         (text.py) the last recorded value, i.e. the value of every epoch that
         was not worse, and at a decay the value of that epoch (so the best
         since the last decay); with `compare="best"` (image.py) the best so
         far. A worse value counts a bad epoch; a value that is not worse
         resets the count;
      3. when `patience` bad epochs have accumulated and the epoch (0-based)
         is >= `min_epoch` (text.py: 15, so the first decay can come after
         the 16th epoch), restores the best weights, multiplies the learning
         rate of every optimizer of the model by `decay` and resets their
         slots (the reference builds new optimizers), and resets the count;
      4. stops training after `max_decays` decays.
    With `best_at_full_weight` (not in the reference) only epochs that end
    with the model's KL weight at 1 can become the best checkpoint: the
    weights of a KL warm-up were trained for another objective, and the
    reference's reload of them at the first decay (the best -ELBO often
    falls inside the warm-up at rate 1.0) restarts a beta = 1 run from an
    encoder that lags that objective (README, "What Agg-VAE costs"). Before
    the first such epoch a decay reloads nothing.
    When training ends the model is left at its best weights, the ones the
    reference scores. Logs `lr`, `decays` and `best_epoch` (counted from 1, as
    Keras prints epochs and as the messages say).

    The state (best value and epoch, reference value, bad epochs, decays,
    best weights) is `get_state()` / `set_state()`: `training.EpochCheckpoint`
    saves it with every checkpoint, so a resumed run continues exactly.

    Args:
        patience: bad epochs before a decay (text 2; BN-VAE / DU-VAE 5;
            images 20).
        min_epoch: first 0-based epoch at which a decay may fire.
        decay: factor of the learning rate (0.5).
        max_decays: decays before training stops (5).
        compare: "last" (text rule) or "best" (image rule).
        best_at_full_weight: the best checkpoint only from epochs at KL
            weight 1 (False: any epoch, the reference).
        monitor: log key of the validation ELBO (maximised).
        verbose: 1 prints a line at every decay.
    """

    def __init__(
        self,
        patience=2,
        min_epoch=15,
        decay=0.5,
        max_decays=5,
        compare="last",
        best_at_full_weight=False,
        monitor="val_elbo",
        verbose=1,
    ):
        super().__init__()
        if compare not in ("last", "best"):
            raise ValueError(f"compare must be 'last' or 'best', got {compare!r}")
        if int(patience) < 1 or int(max_decays) < 1 or not 0.0 < decay < 1.0:
            raise ValueError("need patience >= 1, max_decays >= 1, 0 < decay < 1")
        self.patience = int(patience)
        self.min_epoch = int(min_epoch)
        self.decay = float(decay)
        self.max_decays = int(max_decays)
        self.compare = compare
        self.best_at_full_weight = bool(best_at_full_weight)
        self.monitor = monitor
        self.verbose = verbose
        self.best = np.inf
        self.best_epoch = None
        self.reference = np.inf
        self.bad_epochs = 0
        self.decays = 0
        self.best_weights = None

    # -- state ------------------------------------------------------------------
    def get_state(self):
        """The schedule's state as JSON-able values (weights apart)."""
        return {
            "best": float(self.best),
            "best_epoch": self.best_epoch,
            "reference": float(self.reference),
            "bad_epochs": self.bad_epochs,
            "decays": self.decays,
        }

    def set_state(self, state, best_weights=None):
        """Restores `get_state()`'s values and the best weights (arrays)."""
        self.best = float(state["best"])
        self.best_epoch = state["best_epoch"]
        self.reference = float(state["reference"])
        self.bad_epochs = int(state["bad_epochs"])
        self.decays = int(state["decays"])
        self.best_weights = best_weights

    @property
    def finished(self):
        """Whether the schedule has ended training (all decays used)."""
        return self.decays >= self.max_decays

    # -- the rule ---------------------------------------------------------------
    def _value(self, logs):
        if self.monitor not in logs:
            raise KeyError(
                f"LearningRateDecay needs {self.monitor!r} in the epoch logs: "
                "train with validation_data"
            )
        return -float(logs[self.monitor])

    def on_train_begin(self, logs=None):
        if self.finished:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        value = self._value(logs)
        if value < self.best and self._candidate():
            self.best, self.best_epoch = value, int(epoch)
            self.best_weights = [
                np.array(v.numpy()) for v in self.model.network_variables()
            ]
        reference = self.reference if self.compare == "last" else self.best
        if value > reference:
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience and epoch >= self.min_epoch:
                self.reference = value
                self.bad_epochs = 0
                self._decay(epoch)
        else:
            self.bad_epochs = 0
            self.reference = value
        if self.finished:
            self.model.stop_training = True
        logs["lr"] = self._learning_rate()
        logs["decays"] = float(self.decays)
        # as Keras prints epochs; 0 while no epoch was a candidate
        logs["best_epoch"] = (
            float(-1 if self.best_epoch is None else self.best_epoch) + 1
        )

    def _candidate(self):
        """Whether this epoch's weights may become the best checkpoint."""
        if not self.best_at_full_weight or not hasattr(self.model, "kl_weight"):
            return True
        return float(self.model.kl_weight()) >= 1.0 - 1e-6

    def _decay(self, epoch):
        self.restore_best_weights()
        for optimizer in self.model.training_optimizers():
            rate = float(np.asarray(optimizer.learning_rate)) * self.decay
            for variable in optimizer.variables:
                if variable is not optimizer._learning_rate:
                    variable.assign(np.zeros(variable.shape, variable.dtype))
            optimizer.learning_rate = rate
        self.decays += 1
        if self.verbose:
            print(
                f"\n[kvc] epoch {epoch + 1}: validation -ELBO has not improved for "
                f"{self.patience} epochs: {self._reloaded()}, "
                f"learning rate x{self.decay} -> "
                f"{self._learning_rate():g} (decay {self.decays}/{self.max_decays})"
            )

    def _reloaded(self):
        if self.best_epoch is None:
            return "no epoch at KL weight 1 yet, nothing reloaded"
        return f"reloaded the best weights (epoch {self.best_epoch + 1})"

    def _learning_rate(self):
        return float(np.asarray(self.model.training_optimizers()[0].learning_rate))

    def restore_best_weights(self):
        """Sets the network weights to the best epoch's (if any)."""
        if self.best_weights is None:
            return
        for variable, value in zip(
            self.model.network_variables(), self.best_weights, strict=True
        ):
            variable.assign(value)

    def on_train_end(self, logs=None):
        self.restore_best_weights()
        if self.verbose and self.best_epoch is not None:
            print(
                f"[kvc] scoring the best checkpoint: epoch {self.best_epoch + 1} "
                f"(validation -ELBO {self.best:.4f}), after {self.decays} decays"
            )
