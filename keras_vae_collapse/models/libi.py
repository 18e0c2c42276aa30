import math

import keras
import tensorflow as tf

from keras_vae_collapse.models.vae import VAE

STAGES = {1: "likelihood", 2: "inference", 3: "joint"}


def _add(a, b):
    """a + b for gradients that may be None or (embedding) IndexedSlices."""
    if a is None or b is None:
        return b if a is None else a
    return tf.convert_to_tensor(a) + tf.convert_to_tensor(b)


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class LiBI(VAE):
    """LiBI, "likelihood before inference" (Yacoby, Pan and Doshi-Velez 2020).

    Follows a two-stage description of the method (the paper's own text was
    not available to us; the README's LiBI section says what is our choice):
      1. `likelihood_epochs` epochs fit the generative model (decoder) alone
         by maximum importance-sampled marginal likelihood with prior samples,
         log p(x) ~= logsumexp_s log p(x|z_s) - log S, z_s ~ p(z);
      2. `inference_epochs` epochs fit the encoder alone by the ELBO with the
         decoder frozen;
      3. optionally (our decision) `joint_epochs` epochs of joint ELBO
         training with a hinge penalty `penalty * relu(L1 - tolerance - L)`
         that keeps the batch log-likelihood L within `tolerance` nats per
         example of L1, the mean log-likelihood of the last stage-1 epoch.
    After the last stage, training stays in it. The epoch counter (hence the
    stage) and L1 are saved variables; `on_epoch_end` advances them (`fit`
    calls it; a custom loop calls it after every epoch). The S prior samples
    are decoded `chunk_size` at a time and the gradient is accumulated chunk
    by chunk (weights softmax_s of a first, gradient-free pass), so memory
    holds one chunk.

    Args:
        likelihood_epochs, inference_epochs, joint_epochs: stage lengths.
        num_prior_samples: S.
        chunk_size: prior samples decoded at once.
        tolerance: allowed log-likelihood drop in the joint stage (nats).
        penalty: weight of the hinge penalty.
        **kwargs: the `VAE` arguments.
    """

    def __init__(
        self,
        *args,
        likelihood_epochs=10,
        inference_epochs=10,
        joint_epochs=0,
        num_prior_samples=1000,
        chunk_size=250,
        tolerance=0.05,
        penalty=10.0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.likelihood_epochs = int(likelihood_epochs)
        self.inference_epochs = int(inference_epochs)
        self.joint_epochs = int(joint_epochs)
        self.num_prior_samples = int(num_prior_samples)
        self.chunk_size = int(min(chunk_size, num_prior_samples))
        if self.num_prior_samples % self.chunk_size:
            raise ValueError("num_prior_samples must be a multiple of chunk_size")
        self.tolerance = float(tolerance)
        self.penalty = float(penalty)
        variable = lambda name, dtype: self.add_weight(  # noqa: E731
            shape=(),
            dtype=dtype,
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name=name,
        )
        self.epoch = variable("libi_epoch", "int64")
        self.reference_log_likelihood = variable("reference_log_likelihood", "float32")
        self.ll_tracker = keras.metrics.Mean(name="log_likelihood")
        self._trace_stage = None

    # -- stages ----------------------------------------------------------------
    def stage_at(self, epoch):
        """1, 2 or 3 at a given epoch (the last stage continues)."""
        bounds = [self.likelihood_epochs, self.inference_epochs, self.joint_epochs]
        start = 0
        for stage, length in enumerate(bounds, start=1):
            if epoch < start + length:
                return stage
            start += length
        return 3 if self.joint_epochs else 2

    @property
    def stage(self):
        return self.stage_at(int(self.epoch.numpy()))

    def on_epoch_end(self, epoch=None, logs=None):
        """Closes an epoch: records L1 after stage 1, advances the counter and
        recompiles the step when the stage changes."""
        before = self.stage
        if before == 1:
            self.reference_log_likelihood.assign(self.ll_tracker.result())
        self.epoch.assign_add(1)
        if logs is not None:
            logs["stage"] = before
        if self.stage != before:
            self.make_train_function(force=True)

    def prepare_fit(self, x, batch_size=None, validation_data=None):
        self.build_for_data(x)
        if not self.optimizer.built:
            # Stages update different parameter groups: build for all of them.
            with self.distribute_strategy.scope():
                self.optimizer.build(self.trainable_variables)

    def make_train_function(self, force=False):
        self._trace_stage = self.stage  # train_step is traced for this stage
        return super().make_train_function(force=force)

    # -- stage 1: importance-sampled marginal likelihood -----------------------------
    def prior_samples(self):
        return keras.random.normal(
            [self.num_prior_samples, self.latent_dim], seed=self.seed_generator
        )

    def _chunk_log_prob(self, x, z_chunk):
        batch = tf.shape(x)[0]
        z = tf.tile(z_chunk[:, None, :], tf.stack([1, batch, 1]))
        return self.conditional_log_prob(x, z)  # [C, B]

    def _log_weights(self, x, z):
        """(chunks of z, log p(x|z_s) [S, B]) decoded `chunk_size` at a time."""
        chunks = tf.split(z, int(z.shape[0]) // self.chunk_size)
        log_w = tf.concat([self._chunk_log_prob(x, c) for c in chunks], axis=0)
        return chunks, log_w

    def marginal_log_likelihood(self, x, z=None):
        """log p(x) ~= logsumexp_s log p(x|z_s) - log S, z_s ~ p(z): [B]."""
        z = self.prior_samples() if z is None else z
        _, log_w = self._log_weights(x, z)
        return tf.reduce_logsumexp(log_w, axis=0) - math.log(int(z.shape[0]))

    def likelihood_gradients(self, x, variables):
        """(log p(x) estimate [B], gradients of -mean log p(x)), chunk by
        chunk: grad log p(x) = sum_s softmax(w)_s grad w_s."""
        chunks, log_w = self._log_weights(x, self.prior_samples())
        log_w = tf.stop_gradient(log_w)
        log_px = tf.reduce_logsumexp(log_w, axis=0) - math.log(self.num_prior_samples)
        weights = tf.split(tf.nn.softmax(log_w, axis=0), len(chunks))
        total = None
        for chunk, weight in zip(chunks, weights):
            with tf.GradientTape() as tape:
                per_example = -tf.reduce_sum(weight * self._chunk_log_prob(x, chunk), 0)
                loss = tf.nn.compute_average_loss(per_example)
            grads = tape.gradient(loss, variables)
            total = grads if total is None else list(map(_add, total, grads))
        return log_px, total

    # -- the step ------------------------------------------------------------------
    def train_step(self, data):
        x = self._data(data)
        stage = self._trace_stage or self.stage
        beta = self.next_kl_weight()
        if stage == 1:
            decoder = self.decoder_variables()
            log_px, grads = self.likelihood_gradients(x, decoder)
            self.apply_gradients(self.optimizer, grads, decoder)
            self.ll_tracker.update_state(log_px)
            terms = self.compute_terms(x, training=False)
            per_example = self.per_example_loss(terms, beta)
        elif stage == 2:
            encoder = self.encoder_variables()
            terms, per_example, grads = self.gradients(x, beta, encoder)
            self.apply_gradients(self.optimizer, grads, encoder)
        else:
            variables = self.trainable_variables
            terms, per_example, grads = self.gradients(x, beta, variables)
            decoder = self.decoder_variables()
            log_px, ll_grads = self.likelihood_gradients(x, decoder)
            self.ll_tracker.update_state(log_px)
            shortfall = (
                self.reference_log_likelihood - self.tolerance - tf.reduce_mean(log_px)
            )
            active = tf.cast(shortfall > 0, tf.float32) * self.penalty
            extra = {
                id(v): active * tf.convert_to_tensor(g)
                for v, g in zip(decoder, ll_grads)
                if g is not None
            }
            grads = [_add(g, extra.get(id(v))) for g, v in zip(grads, variables)]
            self.apply_gradients(self.optimizer, grads, variables)
        logs = self.update_metrics(terms, per_example, beta)
        if stage != 2:  # the stages that estimate log p(x)
            logs["log_likelihood"] = self.ll_tracker.result()
        return logs

    @property
    def metrics(self):
        return super().metrics + [self.ll_tracker]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "likelihood_epochs": self.likelihood_epochs,
                "inference_epochs": self.inference_epochs,
                "joint_epochs": self.joint_epochs,
                "num_prior_samples": self.num_prior_samples,
                "chunk_size": self.chunk_size,
                "tolerance": self.tolerance,
                "penalty": self.penalty,
            }
        )
        return config
