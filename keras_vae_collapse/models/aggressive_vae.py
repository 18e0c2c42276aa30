import warnings

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse.metrics.data import posterior_parameters
from keras_vae_collapse.metrics.mutual_information import mutual_information
from keras_vae_collapse.models.vae import VAE


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class AggressiveVAE(VAE):
    """Agg-VAE: aggressive inference-network training (He et al. 2019).

    While `aggressive` is on, each training step first runs an encoder-only
    inner loop (step 1 on the current batch, then on batches drawn from a
    shuffled, repeated copy of the training data; at most `max_inner_steps`;
    every `window` steps the mean loss of the window, per word for text and
    per example for images, is compared with the previous window's, starting
    from +inf, and the loop stops as soon as it went up; the mean is per
    event of the likelihood, i.e. per word for text and, equivalently for the
    comparison, per example for images), then one
    decoder-only step on the outer batch. When off, a joint step of both
    groups. The gradient is clipped jointly over all parameters (`clip_norm`,
    5.0) in every kind of step, as in the reference code.

    What is compiled: the whole train step, inner `tf.while_loop` included, is
    one `tf.function` graph (no Python between inner steps); the inner batches
    come from a tf.data iterator read inside the graph. XLA cannot compile
    iterator reads, so only the numerical sub-steps (forward, backward,
    update) are XLA functions inside that graph (`jit_steps`); the input
    checks run outside them.

    The switch: aggressive mode ends by the MI of the switch data
    (`validation_data` of `fit`, or `set_switch_data`; He et al.'s per-batch
    estimator), after `patience` checks (cumulative) whose MI is below the
    best so far. With patience 1 and a check at every epoch end this is the
    text rule of the reference (off at the first epoch whose MI is lower than
    the previous epoch's, start 0: while MI rises the previous value is the
    best); the image rule is patience 5. `check_every` checks every that
    many outer steps instead, on the first `switch_examples` examples of the
    switch data with fixed samples. `hold_while_annealing` counts no check
    while the KL weight is still rising and forgets the best MI of that
    time, so the rule starts once the weight has stopped rising (the
    reference's rule can end the phase mid-annealing, and the latent then
    decays). The flag and the rule's state are variables: saved, restored,
    resumable.

    The cost of the aggressive phase: `inner_budget` runs exactly that many
    inner steps per outer step (He et al.'s Table 4: 10 / 30 / 50) instead
    of the window rule; `inner_clip="encoder"` clips the inner steps over the
    encoder's gradients only, so the decoder's weight gradients are never
    computed (the reference clips over all parameters, which needs them:
    `"joint"`). It is not equivalent: the joint norm is larger, so it
    shrinks the encoder's steps more. On the synthetic data (paper config,
    SGD 1.0, seed 0) validation MI checked every 100 steps of the first
    epoch peaked at 0.29 and was -0.01 - 0.12 from step 400 on with
    `"encoder"`; it stayed at 0.9 - 1.5 with `"joint"`.
    `max_aggressive_steps` bounds the phase itself: aggressive mode ends
    after that many aggressive outer steps whatever the MI does (in the
    compiled step, so any training loop obeys it; it also ends a hold while
    annealing). On real corpora the MI of a large switch set can keep rising
    for thousands of outer steps, each costing tens of plain steps.
    `AggressiveVAE.reference(...)` builds the reference setting.

    Compile with `optimizer=` (the encoder gets a copy) or with
    `encoder_optimizer=` and `decoder_optimizer=` (default SGD lr 1.0 each,
    the reference text setting; Adam 1e-3 for images); `model.optimizer` is
    the decoder's.

    Args:
        max_inner_steps: cap of the inner loop (99).
        window: convergence window (15 text, 10 images).
        patience: epochs below the best MI before switching off (1 text,
            5 images).
        jit_steps: XLA-compile the numerical sub-steps (gradients and updates;
            not the iterator reads or input checks) when training on one
            replica: about 2x faster inner steps on CPU. XLA compiles once per
            input shape, so pad variable-length text to a few bucket lengths.
        inner_budget: exact inner steps per outer step (None: the window rule).
        inner_clip: "joint" (reference) or "encoder" (see above).
        check_every: outer steps between switch checks (None: epoch ends).
        switch_examples: examples of the switch data the checks use (None:
            all of it).
        hold_while_annealing: no switch-off while the KL weight rises.
        max_aggressive_steps: aggressive outer steps after which the phase
            ends (None: no bound).
        **kwargs: the `VAE` arguments (clip_norm defaults to 5.0).
    """

    #: The reference setting (He et al.'s code): `AggressiveVAE.reference`.
    REFERENCE = {
        "max_inner_steps": 99,
        "inner_budget": None,
        "inner_clip": "joint",
        "check_every": None,
        "switch_examples": None,
        "hold_while_annealing": False,
        "max_aggressive_steps": None,
    }

    @classmethod
    def reference(cls, *args, **kwargs):
        """The model with He et al.'s reference setting: the window rule,
        joint clipping, a switch check at every epoch end on the whole
        switch data, no hold while annealing (`window` and `patience` are
        still the caller's: 15 / 1 text, 10 / 5 images)."""
        return cls(*args, **{**cls.REFERENCE, **kwargs})

    def __init__(
        self,
        *args,
        max_inner_steps=99,
        window=15,
        patience=1,
        jit_steps=True,
        inner_budget=None,
        inner_clip="joint",
        check_every=None,
        switch_examples=None,
        hold_while_annealing=False,
        max_aggressive_steps=None,
        **kwargs,
    ):
        kwargs.setdefault("clip_norm", 5.0)
        super().__init__(*args, **kwargs)
        for name, value in (
            ("max_inner_steps", max_inner_steps),
            ("window", window),
            ("patience", patience),
            ("inner_budget", 1 if inner_budget is None else inner_budget),
            ("check_every", 1 if check_every is None else check_every),
            ("switch_examples", 1 if switch_examples is None else switch_examples),
            (
                "max_aggressive_steps",
                1 if max_aggressive_steps is None else max_aggressive_steps,
            ),
        ):
            if int(value) < 1:
                raise ValueError(f"{name} must be >= 1 (or None), got {value}")
        if inner_clip not in ("joint", "encoder"):
            raise ValueError(
                f"inner_clip must be 'joint' or 'encoder', got {inner_clip!r}"
            )
        self.max_inner_steps = int(max_inner_steps)
        self.window = int(window)
        self.patience = int(patience)
        self.jit_steps = bool(jit_steps)
        self.inner_budget = None if inner_budget is None else int(inner_budget)
        self.inner_clip = inner_clip
        self.check_every = None if check_every is None else int(check_every)
        self.switch_examples = None if switch_examples is None else int(switch_examples)
        self.hold_while_annealing = bool(hold_while_annealing)
        self.max_aggressive_steps = (
            None if max_aggressive_steps is None else int(max_aggressive_steps)
        )
        self.aggressive = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="ones",
            trainable=False,
            aggregation="only_first_replica",
            name="aggressive",
        )
        self.mi_reference = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="mi_reference"
        )
        self.epochs_without_improvement = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name="epochs_without_improvement",
        )
        # Batches drawn from the inner loop's stream so far: a resumed or
        # continued `fit` skips them, so the stream goes on where it stopped.
        self.inner_draws = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="inner_draws",
        )
        # Outer steps and inner steps taken in aggressive mode (the cost).
        self.aggressive_steps = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="aggressive_steps",
        )
        self.inner_steps_total = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="inner_steps_total",
        )
        self.inner_steps_tracker = keras.metrics.Mean(name="inner_steps")
        self.encoder_optimizer = None
        self.switch_data = None
        self._inner_iterator = None

    # -- optimizers -----------------------------------------------------------
    def compile(
        self, optimizer=None, encoder_optimizer=None, decoder_optimizer=None, **kwargs
    ):
        """Compiles with one optimizer per parameter group: `optimizer` (the
        decoder's; the encoder gets a fresh copy of it) or the two explicitly.
        `jit_compile=True` / `False` sets `jit_steps` (XLA can compile only the
        numerical sub-steps of this loop); "auto" keeps it. A
        `steps_per_execution` above 1 is ignored with a warning: the inner
        loop reads its own batches, so each call runs one outer step."""
        jit = kwargs.pop("jit_compile", "auto")
        if kwargs.pop("steps_per_execution", 1) != 1:
            warnings.warn(
                "AggressiveVAE runs one outer step per call: steps_per_execution "
                "is ignored",
                stacklevel=2,
            )
        if jit != "auto":
            self.jit_steps = bool(jit)
        if optimizer is not None:
            if encoder_optimizer is not None or decoder_optimizer is not None:
                raise ValueError(
                    "give optimizer= or encoder_optimizer= and decoder_optimizer=, "
                    "not both"
                )
            decoder_optimizer = keras.optimizers.get(optimizer)
            encoder_optimizer = decoder_optimizer.__class__.from_config(
                decoder_optimizer.get_config()
            )
        decoder_optimizer = keras.optimizers.get(
            decoder_optimizer or keras.optimizers.SGD(1.0)
        )
        self.encoder_optimizer = keras.optimizers.get(
            encoder_optimizer or keras.optimizers.SGD(1.0)
        )
        super().compile(optimizer=decoder_optimizer, **kwargs)
        if self.built:
            self._build_optimizers()

    def _build_optimizers(self):
        # Each optimizer holds slots for its own group only.
        with self.distribute_strategy.scope():
            if self.encoder_optimizer is not None and not self.encoder_optimizer.built:
                self.encoder_optimizer.build(self.encoder_variables())
            optimizer = getattr(self, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.decoder_variables())

    def training_optimizers(self):
        return [self.encoder_optimizer, self.optimizer]

    def get_compile_config(self):
        return {
            "encoder_optimizer": keras.saving.serialize_keras_object(
                self.encoder_optimizer
            ),
            "decoder_optimizer": keras.saving.serialize_keras_object(self.optimizer),
        }

    def compile_from_config(self, config):
        self.compile(
            encoder_optimizer=keras.saving.deserialize_keras_object(
                config["encoder_optimizer"]
            ),
            decoder_optimizer=keras.saving.deserialize_keras_object(
                config["decoder_optimizer"]
            ),
        )

    # -- the switch -------------------------------------------------------------
    def record_validation_mi(self, mi, rising=False):
        """Applies the switch rule to one check's validation MI; `rising`:
        the KL weight is still rising (with `hold_while_annealing` the check
        then only resets the best MI).

        Returns whether aggressive mode is still on. Never turns it back on.
        """
        if not int(self.aggressive.numpy()):
            return False
        mi = float(mi)
        if rising and self.hold_while_annealing:
            self.mi_reference.assign(0.0)
        elif mi < float(self.mi_reference.numpy()):
            bad = int(self.epochs_without_improvement.numpy()) + 1
            self.epochs_without_improvement.assign(bad)
            if bad >= self.patience:
                self.aggressive.assign(0)
        else:
            self.mi_reference.assign(mi)
        return bool(int(self.aggressive.numpy()))

    def kl_weight_rising(self):
        """Whether the KL weight of the next step is above this step's."""
        step = self.kl_step
        return float(self.kl_weight(step + 1)) > float(self.kl_weight(step)) + 1e-9

    def set_switch_data(self, data, batch_size=50):
        """The data whose MI decides the switch (an array, an (x,) tuple or a
        batched tf.data.Dataset); `fit` sets its `validation_data`."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        self.switch_data = data
        self._switch_batch_size = int(batch_size)

    def validation_mi(self, seed=0):
        """He et al.'s per-batch MI estimate on the switch data (its first
        `switch_examples` examples)."""
        mu, logvar, sizes = posterior_parameters(
            self,
            self.switch_data,
            getattr(self, "_switch_batch_size", 50),
            num_examples=self.switch_examples,
        )
        return mutual_information(mu, logvar, "batch", batch_size=sizes, seed=seed)

    def check_switch(self, seed, where):
        """One check of the switch rule; returns the MI (None without switch
        data). `where` names the check in the switch-off message."""
        if self.switch_data is None:
            return None
        mi = self.validation_mi(seed=seed)
        self._last_mi = mi
        if not self.record_validation_mi(mi, self.kl_weight_rising()):
            print(
                f"\n[kvc] {where}: validation MI {mi:.4f}, aggressive training "
                "switched off"
            )
        return mi

    def training_report(self):
        return {
            "aggressive": int(self.aggressive.numpy()),
            "aggressive_steps": int(self.aggressive_steps.numpy()),
            "inner_steps": int(self.inner_steps_total.numpy()),
        }

    def fit_callbacks(self):
        """With `check_every` or `max_aggressive_steps`: the callback that
        checks the switch every `check_every` steps and reports the end of
        the phase."""
        if self.check_every is None and self.max_aggressive_steps is None:
            return super().fit_callbacks()
        return super().fit_callbacks() + [_SwitchCheck(self.check_every)]

    def on_epoch_end(self, epoch, logs=None):
        """While aggressive and checking at epoch ends: the switch rule on
        this epoch's MI of the switch data (epoch e samples with seed e).
        Logs `val_mi` (with `check_every`, of the epoch's last check; absent
        from epochs without a check) and `aggressive`."""
        logs = {} if logs is None else logs
        if int(self.aggressive.numpy()):
            if self.switch_data is None:
                warnings.warn(
                    "AggressiveVAE: no validation data (fit(validation_data=...) or "
                    f"set_switch_data): aggressive mode stays on{self._until()}.",
                    stacklevel=2,
                )
            elif self.check_every is None:
                mi = self.check_switch(int(epoch), f"epoch {int(epoch) + 1}")
                logs.setdefault("val_mi", mi)
        if self.check_every is not None and getattr(self, "_last_mi", None) is not None:
            logs.setdefault("val_mi", self._last_mi)
        self._last_mi = None  # an epoch without a check logs no stale MI
        logs["aggressive"] = float(self.aggressive.numpy())

    # -- inner-loop data ----------------------------------------------------------
    def set_inner_data(self, data, batch_size=None, seed=None):
        """Sets the data of the inner loop: a batched tf.data.Dataset (its
        batches are shuffled and repeated, as the reference draws random
        batches) or an array (examples shuffled, batched by `batch_size`,
        repeated). Batches are global: under a strategy they are split over
        the replicas. The stream skips the `inner_draws` batches already used
        (saved with the model), so training continued in a new `fit` or after
        loading draws what an uninterrupted run would have drawn (skipping
        costs one pass over those batches)."""
        if isinstance(data, tf.data.Dataset):
            size = int(data.cardinality())
            buffer = size if 0 < size <= 10_000 else 10_000
            ds = data.shuffle(buffer, seed=seed).repeat()
        else:
            x = data[0] if isinstance(data, (tuple, list)) else data
            x = np.asarray(x)
            ds = (
                tf.data.Dataset.from_tensor_slices(x)
                .shuffle(len(x), seed=seed)
                .repeat()
                .batch(int(batch_size or 32), drop_remainder=True)
            )
        draws = int(self.inner_draws.numpy())
        if draws:
            ds = ds.skip(draws)
        ds = ds.prefetch(tf.data.AUTOTUNE)
        strategy = self.distribute_strategy
        if strategy.num_replicas_in_sync > 1:
            ds = strategy.experimental_distribute_dataset(ds)
        self._inner_iterator = iter(ds)
        self.train_function = None  # the compiled step captures the iterator

    needs_validation_data = True

    def fit_arguments(self, train=None, validation=None):
        """The validation split for the switch, and the (finite) training
        split for the inner loop's random batches."""
        arguments = super().fit_arguments(train, validation)
        if train is not None:
            arguments["inner_data"] = train
        return arguments

    def fit(self, x=None, *args, inner_data=None, **kwargs):
        """`VAE.fit`, plus the inner loop's data (`inner_data`, default `x`;
        see `set_inner_data`). `validation_data` decides the switch."""
        self._fit_inner_data = inner_data
        try:
            return super().fit(x, *args, **kwargs)
        finally:
            self._fit_inner_data = None

    def prepare_fit(self, x, batch_size=None, validation_data=None):
        self.build_for_data(x)
        self._build_optimizers()
        inner = getattr(self, "_fit_inner_data", None)
        if inner is not None or x is not None:
            self.set_inner_data(
                x if inner is None else inner, batch_size or 32, self.seed
            )
        if validation_data is not None:
            # Arrays are batched as in training, as the reference does.
            self.set_switch_data(validation_data, batch_size or 32)
        elif int(self.aggressive.numpy()) and self.switch_data is None:
            warnings.warn(
                "AggressiveVAE.fit without validation_data: aggressive mode "
                f"stays on{self._until()} (give validation_data or call "
                "set_switch_data).",
                stacklevel=3,
            )

    def _until(self):
        if self.max_aggressive_steps is None:
            return ""
        return f" until max_aggressive_steps ({self.max_aggressive_steps})"

    # -- the step --------------------------------------------------------------
    # `train_step` runs in cross-replica context: its tf.cond and inner
    # tf.while_loop dispatch every sub-step with `strategy.run`, the pattern
    # tf.distribute supports for synchronisation (gradient all-reduce) inside
    # loops. With one device `strategy.run` / `strategy.reduce` are identities.
    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        if self.steps_per_execution > 1:
            raise ValueError("AggressiveVAE does not support steps_per_execution > 1")
        step = (
            self.train_step
            if self.run_eagerly
            else tf.function(self.train_step, reduce_retracing=True)
        )

        def function(iterator):
            if isinstance(
                iterator, (tf.data.Iterator, tf.distribute.DistributedIterator)
            ):
                optional = iterator.get_next_as_optional()
                if not optional.has_value():
                    raise StopIteration
                return step(optional.get_value())
            for data in iterator:  # train_on_batch passes a generator
                return step(data)
            raise StopIteration

        self.train_function = function
        return function

    def _units(self, x):
        return tf.reduce_sum(self.likelihood.num_events(x))

    def _xla(self, name, fn):
        """`fn` XLA-compiled (cached) when `jit_steps` and on one replica."""
        if not self.jit_steps or self.distribute_strategy.num_replicas_in_sync > 1:
            return fn
        if name not in self._compiled_fns:
            self._compiled_fns[name] = tf.function(fn, jit_compile=True)
        return self._compiled_fns[name]

    def _encoder_step(self, data, beta):
        """Replica step: one encoder-only update; (loss sum, units) of it."""
        x = self._data(data)  # input checks stay outside XLA
        return self._xla("encoder_update", self._encoder_update)(x, beta)

    def _encoder_update(self, x, beta):
        if self.inner_clip == "encoder":  # no decoder weight gradients
            variables = self.encoder_variables()
        else:  # the reference: clipped over every parameter's gradient
            variables = self.trainable_variables
        _, per_example, grads = self.gradients(x, beta, variables)
        self.apply_gradients(
            self.encoder_optimizer, grads, variables, self.encoder_variables()
        )
        return tf.reduce_sum(per_example), self._units(x)

    def _decoder_step(self, data, beta, inner_steps):
        """Replica step: one decoder-only update on the outer batch."""
        x = self._data(data)
        terms, per_example = self._xla("decoder_update", self._decoder_update)(x, beta)
        return self._logs(terms, per_example, beta, inner_steps)

    def _decoder_update(self, x, beta):
        variables = self.trainable_variables
        terms, per_example, grads = self.gradients(x, beta, variables)
        self.apply_gradients(self.optimizer, grads, variables, self.decoder_variables())
        return terms, per_example

    def _joint_step(self, data, beta):
        """Replica step: both groups from one (jointly clipped) gradient."""
        x = self._data(data)
        terms, per_example = self._xla("joint_update", self._joint_update)(x, beta)
        return self._logs(terms, per_example, beta, tf.constant(0.0))

    def _joint_update(self, x, beta):
        variables = self.trainable_variables
        terms, per_example, grads = self.gradients(x, beta, variables)
        self.apply_gradients(
            self.encoder_optimizer, grads, variables, self.encoder_variables()
        )
        self.apply_gradients(self.optimizer, grads, variables, self.decoder_variables())
        return terms, per_example

    def _logs(self, terms, per_example, beta, inner_steps):
        self.inner_steps_tracker.update_state(inner_steps)
        logs = self.update_metrics(terms, per_example, beta)
        logs["inner_steps"] = self.inner_steps_tracker.result()
        return logs

    def _inner_loop(self, data, beta):
        """Encoder-only steps until the windowed loss rises or the cap.

        Cross-replica context; returns the number of inner steps taken.
        """
        strategy = self.distribute_strategy

        def encoder_step(batch):
            loss_sum, units = strategy.run(self._encoder_step, args=(batch, beta))
            return (
                strategy.reduce(tf.distribute.ReduceOp.SUM, loss_sum, axis=None),
                strategy.reduce(tf.distribute.ReduceOp.SUM, units, axis=None),
            )

        def window_check(i, loss_sum, units, previous):
            mean = loss_sum / tf.maximum(units, 1.0)
            boundary = tf.equal(i % self.window, 0)
            return (
                tf.where(boundary, 0.0, loss_sum),
                tf.where(boundary, 0.0, units),
                tf.where(boundary, mean, previous),
                boundary & (mean > previous),
            )

        one = tf.constant(1)
        state = (one,) + window_check(
            one, *encoder_step(data), tf.constant(np.inf, tf.float32)
        )

        if self.inner_budget is not None:

            def cond(i, loss_sum, units, previous, stop):
                return i < self.inner_budget

        else:

            def cond(i, loss_sum, units, previous, stop):
                return tf.logical_and(i < self.max_inner_steps, tf.logical_not(stop))

        def body(i, loss_sum, units, previous, stop):
            step_loss, step_units = encoder_step(self._inner_iterator.get_next())
            self.inner_draws.assign_add(1)
            i = i + 1
            return (i,) + window_check(
                i, loss_sum + step_loss, units + step_units, previous
            )

        steps, *_ = tf.while_loop(cond, body, state)
        return tf.cast(steps, tf.float32)

    def train_step(self, data):
        if self._inner_iterator is None:
            raise ValueError(
                "AggressiveVAE needs the inner loop's data: train with "
                "model.fit(x, ...) or call model.set_inner_data(x) first"
            )
        strategy = self.distribute_strategy
        beta = self.next_kl_weight()

        def reduce(logs):
            return {
                k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in logs.items()
            }

        def aggressive():
            steps = self._inner_loop(data, beta)
            self.aggressive_steps.assign_add(1)
            self.inner_steps_total.assign_add(tf.cast(steps, tf.int64))
            if self.max_aggressive_steps is not None:  # the phase's budget
                spent = self.aggressive_steps >= self.max_aggressive_steps
                self.aggressive.assign(tf.where(spent, 0, self.aggressive))
            return reduce(strategy.run(self._decoder_step, args=(data, beta, steps)))

        def joint():
            return reduce(strategy.run(self._joint_step, args=(data, beta)))

        logs = tf.cond(self.aggressive > 0, aggressive, joint)
        logs["aggressive"] = tf.cast(self.aggressive, tf.float32)
        return logs

    @property
    def metrics(self):
        return super().metrics + [self.inner_steps_tracker]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "max_inner_steps": self.max_inner_steps,
                "window": self.window,
                "patience": self.patience,
                "jit_steps": self.jit_steps,
                "inner_budget": self.inner_budget,
                "inner_clip": self.inner_clip,
                "check_every": self.check_every,
                "switch_examples": self.switch_examples,
                "hold_while_annealing": self.hold_while_annealing,
                "max_aggressive_steps": self.max_aggressive_steps,
            }
        )
        return config


class _SwitchCheck(keras.callbacks.Callback):
    """Checks Agg-VAE's switch every `every` outer steps (its KL step
    counter, which a resumed run restores; None: never), while aggressive;
    the samples of the MI estimate are fixed (the model's seed) so checks
    compare alike. Says when the step ended the phase by its budget."""

    def __init__(self, every):
        super().__init__()
        self.every = None if every is None else int(every)
        self.on = True

    def on_train_begin(self, logs=None):
        self.on = bool(int(self.model.aggressive.numpy()))

    def on_train_batch_end(self, batch, logs=None):
        if not self.on:
            return
        step = int(self.model.kl_step.numpy())
        if not int(self.model.aggressive.numpy()):  # off since the last batch
            self.on = False
            budget = self.model.max_aggressive_steps
            if budget is not None and self.model.aggressive_steps.numpy() >= budget:
                print(
                    f"\n[kvc] step {step}: max_aggressive_steps ({budget}) "
                    "reached, aggressive training switched off"
                )
            return
        if self.every and step % self.every == 0:
            mi = self.model.check_switch(int(self.model.seed or 0), f"step {step}")
            self.on = bool(int(self.model.aggressive.numpy()))
            verbose = self.params.get("verbose", 0) if self.params else 0
            if self.on and mi is not None and verbose:
                # Progress of a phase that can last long between epoch logs.
                report = self.model.training_report()
                inner = report["inner_steps"] / max(report["aggressive_steps"], 1)
                best = float(self.model.mi_reference.numpy())
                print(
                    f"{chr(10) if verbose == 1 else ''}[kvc] step {step}: "
                    f"validation MI {mi:.4f} (best {best:.4f}), aggressive; "
                    f"{inner:.1f} inner steps per outer step so far",
                    flush=True,
                )
