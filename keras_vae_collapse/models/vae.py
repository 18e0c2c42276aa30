import math

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse import distributions, schedules
from keras_vae_collapse.likelihoods.token_categorical import BOS_ID, EOS_ID

_SEED_KEY = "seed_generator_"


def _is_text(x):
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and isinstance(x[0], (str, bytes))
    return isinstance(x, np.ndarray) and x.dtype.kind in "USO"


class _EpochHooks(keras.callbacks.Callback):
    """Calls `model.on_epoch_begin` and `model.on_epoch_end` (attached by
    `VAE.fit`)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.model.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.model.on_epoch_end(epoch, logs)


def _is_empty(x):
    """An empty list / array of examples (any rank)."""
    if isinstance(x, (list, tuple)):
        return len(x) == 0
    return hasattr(x, "shape") and len(x.shape) > 0 and int(x.shape[0]) == 0


def _scale(grad, factor):
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
    return grad * factor


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class VAE(keras.Model):
    """Variational autoencoder: the base every method of the package extends.

    p(z) = N(0, I), q(z|x) = N(mu, diag(exp(logvar))), both tfp distributions
    built inside the computations. The loss per example is
    rec + beta * KL term, rec = -log p(x|z) with one reparameterised sample, the
    KL term optionally replaced by free bits; it is averaged over the global
    batch (`tf.nn.compute_average_loss`), so `fit` under a `tf.distribute`
    strategy gives the same update as on one device.

    Methods change one piece through the hooks `posterior_params` (and the
    `posterior_transform` layer), `decoder_mean`, `generation_latent`,
    `proposal_params`, `representation`, `compute_terms` and `train_step`,
    and keep state across epochs in `on_epoch_end`. They declare what a
    driver must give them in `fit_arguments`.

    Args:
        encoder: layer x -> (mu, logvar), each [B, n].
        decoder: layer called as decoder(z, x) -> likelihood parameters; x is
            the teacher-forcing input of autoregressive decoders, ignored by
            the others. Autoregressive decoders also provide
            `generate(z, max_length, bos_id, eos_id, greedy, seed)`.
        likelihood: a `keras_vae_collapse.likelihoods.Likelihood`.
        latent_dim: n.
        kl_schedule: KL weight: a `KLSchedule`, a number (constant beta) or None
            (beta = 1).
        free_bits: None, `FreeBits` or `MaskedFreeBits`.
        posterior_transform: optional layer (mu, logvar) -> (mu, logvar)
            between the encoder and sampling (BN-VAE, delta-VAE, ...); part
            of the inference network. A transform may also return a third
            value, the log-variance to sample with in training (DU-VAE's
            variance dropout); the KL that is reported then uses the second.
        clip_norm: clip the gradient to this global norm (He et al. use 5.0).
            Clipped after the cross-replica sum, so it is the same under a
            distribution strategy (unlike the optimizers' `global_clipnorm`,
            which Keras applies to each replica's partial gradient).
        seed: seed of the posterior sampling during training.
        tokenizer: optional `layers.TextTokenizer` of a text model: then
            `encode`, `elbo`, ... also take raw strings, and the vocabulary
            is saved with the model (as an asset).
    """

    # `compile(jit_compile="auto")` resolves to no XLA: XLA turns the in-graph
    # input checks (Assert ops) into no-ops. `compile(jit_compile=True)` trades
    # them for speed (10.2 -> 8.2 ms per step on the synthetic text model).
    supports_jit = False

    def __init__(
        self,
        encoder,
        decoder,
        likelihood,
        latent_dim,
        kl_schedule=None,
        free_bits=None,
        posterior_transform=None,
        clip_norm=None,
        seed=None,
        tokenizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        self.latent_dim = int(latent_dim)
        self.kl_schedule = schedules.get(kl_schedule)
        self.free_bits = free_bits
        self.posterior_transform = posterior_transform
        if clip_norm is not None and not clip_norm > 0:
            raise ValueError(f"clip_norm must be > 0 or None, got {clip_norm}")
        self.clip_norm = None if clip_norm is None else float(clip_norm)
        self.seed = seed
        self.tokenizer = tokenizer
        self.check_tokenizer()
        self.seed_generator = keras.random.SeedGenerator(seed, name="sampling_seed")
        self.kl_step = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="kl_step",
        )
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.rec_tracker = keras.metrics.Mean(name="rec")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")
        self._compiled_fns = {}

    # -- building ----------------------------------------------------------
    def build(self, input_shape):
        """Creates every variable by running encoder and decoder on zeros."""
        shape = [2 if d is None else int(d) for d in input_shape]
        shape[0] = 2
        # Variable-length axes (text) are built at length 2 at least.
        for axis, size in enumerate(self.likelihood.example_shape(), start=1):
            if size is None and axis < len(shape):
                shape[axis] = max(shape[axis], 2)
        x = tf.zeros(shape, self.likelihood.data_dtype)
        mu, logvar = self.posterior_params(x, training=False)
        self.decoder(self.decoder_mean(mu, False), x, training=False)

    def build_for_data(self, x):
        """Builds the model (under its strategy) from the shape of `fit`'s
        data, an array or a tf.data.Dataset, if it is not built yet; for
        methods that must create their optimizers' slots before training."""
        if self.built:
            return
        spec = x.element_spec if isinstance(x, tf.data.Dataset) else None
        if isinstance(spec, (tuple, list)):
            spec = spec[0]
        shape = spec.shape if spec is not None else np.shape(x)
        with self.distribute_strategy.scope():
            self.build(tuple(shape))

    def call(self, x, training=None):
        """Returns the posterior parameters (mu, logvar) of x."""
        return self.posterior_params(x, training=training)

    # -- hooks of the methods ------------------------------------------------
    def posterior_params(self, x, training=False):
        """(mu, logvar) of q(z|x): the encoder, then the posterior transform."""
        mu, logvar, _ = self.transformed_posterior(x, training)
        return mu, logvar

    def transformed_posterior(self, x, training=False):
        """(mu, logvar, logvar to sample with): the encoder, then the
        posterior transform (which may return the third value itself)."""
        mu, logvar = self.encoder(x, training=training)
        if self.posterior_transform is None:
            return mu, logvar, logvar
        out = self.posterior_transform(
            mu, logvar, training=training, **self.transform_arguments()
        )
        if len(out) not in (2, 3):
            raise ValueError(
                "a posterior_transform must return (mu, logvar) or (mu, logvar, "
                f"logvar to sample with), got {len(out)} values"
            )
        return out if len(out) == 3 else (out[0], out[1], out[1])

    def transform_arguments(self):
        """Extra keyword arguments of the posterior transform's call (DU-VAE
        passes whether its uncertainty part is active)."""
        return {}

    def sample_latent(self, mu, logvar):
        """One reparameterised sample z = mu + exp(logvar / 2) * eps."""
        eps = keras.random.normal(
            tf.shape(mu), dtype=mu.dtype, seed=self.seed_generator
        )
        return mu + tf.exp(0.5 * logvar) * eps

    def decoder_mean(self, mu, training):
        """The posterior mean as the decoder sees it (Scale-VAE scales it)."""
        return mu

    def reconstruction_latent(self, mu, logvar, training):
        """The sample the decoder reconstructs from in the ELBO: centred on
        `decoder_mean`, with the posterior's standard deviation."""
        return self.sample_latent(self.decoder_mean(mu, training), logvar)

    def generation_latent(self, z):
        """Maps prior samples to the decoder's input (Scale-VAE overrides)."""
        return z

    def encoder_variables(self):
        """Trainable variables of the inference network q(z|x)."""
        variables = list(self.encoder.trainable_variables)
        if self.posterior_transform is not None:
            variables += self.posterior_transform.trainable_variables
        return variables

    def decoder_variables(self):
        """Trainable variables of the generative model p(x|z) (all others)."""
        inference = {id(v) for v in self.encoder_variables()}
        return [v for v in self.trainable_variables if id(v) not in inference]

    def network_variables(self):
        """The variables of the model's layers (networks, posterior
        transforms, likelihood, Scale-VAE's factor, batch-norm statistics),
        not the method's own training state (KL step, Agg-VAE's switch,
        LiBI's stage): what a best-checkpoint reload restores."""
        seen, out = set(), []
        for layer in self._flatten_layers(include_self=False, recursive=False):
            for variable in layer.weights:
                if id(variable) not in seen:
                    seen.add(id(variable))
                    out.append(variable)
        return out

    def training_optimizers(self):
        """Every optimizer that trains the model (Agg-VAE has two)."""
        return [self.optimizer]

    def kl_weight(self, step=None):
        """The KL weight beta at `step` (default: the model's step counter)."""
        return self.kl_schedule(self.kl_step if step is None else step)

    # -- the objective --------------------------------------------------------
    def compute_terms(self, x, training=False):
        """Per-example terms: rec [B], kl_dims [B, n] (of the loss), kl [B]
        (reported), mu, logvar."""
        mu, logvar, sampling_logvar = self.transformed_posterior(x, training)
        terms = self.terms_from_posterior(x, mu, sampling_logvar, training)
        if sampling_logvar is not logvar:
            # The loss uses the sampling posterior; the report the posterior.
            terms["kl"] = distributions.kl_to_prior(mu, logvar)
            terms["logvar"] = logvar
        return terms

    def terms_from_posterior(self, x, mu, logvar, training):
        z = self.reconstruction_latent(mu, logvar, training)
        params = self.decoder(z, x, training=training)
        rec = -self.likelihood.log_prob(params, x)
        kl_dims = distributions.kl_per_dimension(mu, logvar)
        return {
            "rec": rec,
            "kl_dims": kl_dims,
            "kl": tf.reduce_sum(kl_dims, axis=-1),
            "mu": mu,
            "logvar": logvar,
        }

    def bound_kl(self, terms):
        """The KL that makes `elbo` a bound on log p(x) of the model that
        samples (`sample`): the reported KL for every method but Scale-VAE,
        whose objective pays the KL of a posterior it does not decode from."""
        return terms.get("bound_kl", terms["kl"])

    def kl_term(self, terms):
        """The KL part of the loss per example, with free bits if configured."""
        if self.free_bits is None:
            return tf.reduce_sum(terms["kl_dims"], axis=-1)
        return self.free_bits(terms["kl_dims"])

    def per_example_loss(self, terms, beta):
        return terms["rec"] + beta * self.kl_term(terms)

    def scale_loss(self, per_example_loss):
        """Mean over the global batch plus regularisation (replica-safe)."""
        loss = tf.nn.compute_average_loss(per_example_loss)
        if self.losses:
            loss += tf.nn.scale_regularization_loss(tf.add_n(self.losses))
        return loss

    def update_metrics(self, terms, per_example_loss, beta):
        self.loss_tracker.update_state(per_example_loss)
        self.rec_tracker.update_state(terms["rec"])
        self.kl_tracker.update_state(terms["kl"])
        self.elbo_tracker.update_state(-(terms["rec"] + self.bound_kl(terms)))
        logs = {m.name: m.result() for m in VAE.metrics.fget(self)}
        logs["kl_weight"] = tf.cast(beta, tf.float32)
        return logs

    @property
    def metrics(self):
        return [self.loss_tracker, self.rec_tracker, self.kl_tracker, self.elbo_tracker]

    def _data(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self._prepare(x)

    def gradients(self, x, beta, variables):
        """One forward / backward pass: (terms, per-example loss, grads)."""
        with tf.GradientTape() as tape:
            terms = self.compute_terms(x, training=True)
            per_example = self.per_example_loss(terms, beta)
            loss = self.scale_loss(per_example)
        return terms, per_example, tape.gradient(loss, variables)

    def next_kl_weight(self):
        """Advances the schedule's step counter; the weight of this step."""
        self.kl_step.assign_add(1)
        return self.kl_weight()

    def train_step(self, data):
        x = self._data(data)
        beta = self.next_kl_weight()
        variables = self.trainable_variables
        terms, per_example, grads = self.gradients(x, beta, variables)
        self.apply_gradients(self.optimizer, grads, variables)
        return self.update_metrics(terms, per_example, beta)

    def apply_gradients(self, optimizer, grads, variables, update=None):
        """Clips `grads` jointly (global norm over all of them, after the
        cross-replica sum) and applies those of the variables in `update`
        (default: all) with `optimizer`."""
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        grads = [g for g, _ in pairs]
        if self.clip_norm is not None and grads:
            context = tf.distribute.get_replica_context()
            replicas = context.num_replicas_in_sync if context else 1
            if replicas > 1:
                grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
            grads, _ = tf.clip_by_global_norm(grads, self.clip_norm)
            if replicas > 1:  # the optimizer sums over replicas again
                grads = [_scale(g, 1.0 / replicas) for g in grads]
        keep = None if update is None else {id(v) for v in update}
        optimizer.apply_gradients(
            [(g, v) for g, (_, v) in zip(grads, pairs) if keep is None or id(v) in keep]
        )

    def test_step(self, data):
        x = self._data(data)
        beta = self.kl_weight()
        terms = self.compute_terms(x, training=False)
        return self.update_metrics(terms, self.per_example_loss(terms, beta), beta)

    # -- training: what a method needs from a driver --------------------------
    #: Whether the method needs validation data in `fit` (Agg-VAE's switch).
    needs_validation_data = False

    def fit_arguments(self, train=None, validation=None):
        """Extra `fit` keyword arguments this method needs, from a driver that
        has the training split `train` (finite, batched) and the validation
        split `validation`: drivers call `model.fit(..., **these)` and never
        look at the model's class. The base needs nothing."""
        if self.needs_validation_data and validation is not None:
            return {"validation_data": validation}
        return {}

    def prepare_fit(self, x, batch_size=None, validation_data=None):
        """Called by `fit` before training starts (build optimizers, take the
        data a method keeps, warn about a bad setup). The base does nothing."""

    def check_fit_data(self, x):
        """Raises a clear error for training data the likelihood cannot take:
        arrays are validated whole (rank, dtype, values) and must not be
        empty; a tf.data.Dataset's element rank is checked."""
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            spec = spec[0] if isinstance(spec, (tuple, list)) else spec
            rank = len(self.likelihood.example_shape()) + 1
            if spec.shape.rank is not None and spec.shape.rank != rank:
                raise ValueError(
                    f"fit: dataset elements must be batches of rank {rank}, got "
                    f"shape {spec.shape}"
                )
            return
        if x is None or isinstance(x, dict):
            return
        if _is_empty(x):
            raise ValueError("fit got no training examples")
        self.likelihood.validate(np.asarray(x))

    def on_epoch_begin(self, epoch, logs=None):
        """The start-of-epoch hook (Scale-VAE closes the previous epoch's
        factor here, so that the model validated at an epoch's end is the
        model a best-checkpoint reload keeps). `fit` calls it; a custom loop
        calls it before each epoch. The base does nothing."""

    def on_epoch_end(self, epoch, logs=None):
        """The end-of-epoch hook of every method (Scale-VAE's logged factor,
        Agg-VAE's switch, LiBI's stages). `fit` calls it through a callback it attaches
        itself; a user who trains with their own loop (`train_on_batch`,
        a custom `tf.function`) calls `model.on_epoch_end(epoch)` after each
        epoch. `logs`, if given, receives what the method reports."""

    def training_report(self):
        """What the method did in training, for a run's summary (Agg-VAE's
        aggressive steps, Scale-VAE's factor): JSON-ready. The base: {}."""
        return {}

    def fit_callbacks(self):
        """The callbacks `fit` attaches for the method (before the user's):
        the epoch hooks; Agg-VAE adds its step-wise switch check."""
        return [_EpochHooks()]

    def _make_function(self, step_function):
        """Keras's wrapper of a train / test step, with the logs given a
        length-1 axis under a multi-worker strategy: Keras 3 reduces them
        across workers with `strategy.reduce("MEAN", v, axis=0)`, which fails
        on scalars (tensorflow/tensorflow#72388); the reduction returns
        scalars again."""
        extended = self.distribute_strategy.extended
        if not getattr(extended, "_in_multi_worker_mode", lambda: False)():
            return super()._make_function(step_function)

        def step(data):
            logs = step_function(data)
            return {k: tf.reshape(v, [1]) for k, v in logs.items()}

        return super()._make_function(step)

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        callbacks=None,
        validation_data=None,
        **kwargs,
    ):
        """`keras.Model.fit` with the method's hooks: `prepare_fit` first, then
        `on_epoch_begin` / `on_epoch_end` around every epoch (before the
        other callbacks; `fit_callbacks`). Array
        data are checked first (rank, dtype, values, not empty), so bad data
        fail with a clear error before training."""
        self.check_fit_data(x)
        self.prepare_fit(x, batch_size=batch_size, validation_data=validation_data)
        callbacks = list(callbacks or [])
        for hook in reversed(self.fit_callbacks()):
            if not any(type(c) is type(hook) for c in callbacks):
                callbacks.insert(0, hook)
        return super().fit(
            x,
            y,
            batch_size=batch_size,
            epochs=epochs,
            callbacks=callbacks,
            validation_data=validation_data,
            **kwargs,
        )

    # -- public methods -----------------------------------------------------
    def _compiled(self, name, fn):
        if name not in self._compiled_fns:
            self._compiled_fns[name] = tf.function(fn, reduce_retracing=True)
        return self._compiled_fns[name]

    @property
    def vocabulary(self):
        """The `Vocabulary` of the tokenizer, or None."""
        return None if self.tokenizer is None else self.tokenizer.vocabulary

    def set_vocabulary(self, vocabulary, max_length=None, **options):
        """Gives the model a `layers.TextTokenizer` of `vocabulary` (a
        `Vocabulary`, a token list or a file), so the public methods take raw
        strings; `options` are the tokenizer's (lowercase, split_punctuation).
        A vocabulary whose size is not the likelihood's is refused."""
        from keras_vae_collapse.layers.text_tokenizer import TextTokenizer

        tokenizer = TextTokenizer(vocabulary, max_length, **options)
        self._check_tokenizer(tokenizer)
        if self.tokenizer is not None:  # keep the tracked layer, update it
            self.tokenizer.set_vocabulary(tokenizer.vocabulary)
            self.tokenizer.max_length = tokenizer.max_length
            self.tokenizer.lowercase = tokenizer.lowercase
            self.tokenizer.split_punctuation = tokenizer.split_punctuation
            return
        locked = self._tracker.locked
        self._tracker.unlock()  # a layer without variables may join later
        try:
            self.tokenizer = tokenizer
        finally:
            if locked:
                self._tracker.lock()

    def check_tokenizer(self):
        """Raises ValueError if the tokenizer's vocabulary does not fit the
        likelihood (a vocabulary of another size gives wrong ids silently)."""
        self._check_tokenizer(self.tokenizer)

    def _check_tokenizer(self, tokenizer):
        if tokenizer is None or tokenizer.vocabulary is None:
            return
        size = getattr(self.likelihood, "vocab_size", None)
        if size is None:
            raise ValueError("a tokenizer needs a token likelihood (TokenCategorical)")
        if tokenizer.vocabulary_size != size:
            raise ValueError(
                f"the vocabulary has {tokenizer.vocabulary_size} tokens but "
                f"the model's likelihood has {size}: use the vocabulary the model "
                "was trained with"
            )

    def _prepare(self, x):
        if isinstance(x, str):
            x = [x]
        if _is_text(x):
            if self.tokenizer is None:
                raise TypeError(
                    "expected numeric token ids, got strings: raw strings need a "
                    "tokenizer (model.set_vocabulary(...); zoo models have theirs)"
                )
            self.check_tokenizer()
            texts = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in x]
            x = self.tokenizer.dense(texts).numpy()
        x = self.likelihood.validate(x)
        if not self.built:
            self.build(x.shape)
        return x

    def _batched(self, x, batch_size, fn, widths=(None, None)):
        """fn over batches of x, concatenated; an empty x gives empty arrays
        of shapes (0, width) (width None: the latent dimension; 0: (0,))."""
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if _is_empty(x):
            return tuple(
                np.zeros((0,) if w == 0 else (0, w or self.latent_dim), np.float32)
                for w in widths
            )
        x = self._prepare(x)
        n = int(x.shape[0])
        if n == 0:
            return self._batched([], batch_size, fn, widths)
        outs = [fn(x[i : i + batch_size]) for i in range(0, n, batch_size)]
        return tuple(
            np.concatenate([o[k].numpy() for o in outs]) for k in range(len(outs[0]))
        )

    def encode(self, x, batch_size=256):
        """Posterior means and log-variances of x (numpy, no sampling).

        The means are the representation features of the papers.
        """
        return self._batched(
            x, batch_size, self._compiled("encode", self._encode_batch)
        )

    def _encode_batch(self, x):
        mu, logvar = self.posterior_params(x, training=False)
        return self.representation(mu, logvar)

    #: Whether the model has an encoder whose features `encode` gives and the
    #: serving export serves (not the autoregressive baselines).
    has_encoder = True

    #: Whether `encode` returns the posterior of the objective's KL term
    #: (False for Scale-VAE, whose `encode` gives the scaled posterior).
    encodes_posterior = True

    def posterior(self, x, batch_size=256):
        """Means and log-variances of q(z|x) as the KL term of the objective
        sees it (numpy); equal to `encode` unless `encodes_posterior` is False."""
        return self._batched(
            x, batch_size, self._compiled("posterior", self._posterior_batch)
        )

    def _posterior_batch(self, x):
        return self.posterior_params(x, training=False)

    def representation(self, mu, logvar):
        """What `encode` returns from the posterior (Scale-VAE: the scaled
        posterior the decoder reconstructs from)."""
        return mu, logvar

    def elbo(self, x, batch_size=256):
        """Per-example ELBO in nats (one posterior sample, no dropout): a
        lower bound on log p(x) of the model that samples (`bound_kl`)."""
        fn = self._compiled("elbo", self._elbo_batch)
        return self._batched(x, batch_size, fn, widths=(0,))[0]

    def _elbo_batch(self, x):
        terms = self.compute_terms(x, training=False)
        return (-(terms["rec"] + self.bound_kl(terms)),)

    #: Decoder outputs (floats) `log_prob_iw` holds at once: 2^26, 256 MB.
    max_decoded_elements = 1 << 26

    def log_prob_iw(self, x, num_samples=500, chunk_size=100, seed=0):
        """Importance-weighted estimate of log p(x) per example (nats).

        log p(x) ~= logsumexp_k [log p(z_k) + log p(x|z_k) - log q(z_k|x)] - log K
        with K = `num_samples` samples z_k ~ q(z|x) drawn at most `chunk_size`
        at a time (stateless, from `seed`) and a running log-sum-exp. Memory
        is bounded: at most `max_decoded_elements` decoder outputs exist at
        once (samples x examples x outputs per example, e.g. T x vocabulary
        logits for text), so fewer samples per chunk, or a part of the batch
        at a time, are decoded when they would not fit. This is the bound of
        the model `sample` draws from (`iw_bounds()["iw_nll"]`).
        """
        return self.log_prob_iw_bounds(x, num_samples, chunk_size, seed)["iw_nll"]

    def iw_bounds(self):
        """The importance-weighted bounds the model reports: {key: what it
        bounds}. `iw_nll` is always the model that `sample` draws from;
        a method adds a key where its paper scores another (Scale-VAE)."""
        return {"iw_nll": "log p(x) of the model that `sample` draws from"}

    def log_priors(self, z):
        """{bound key: log density of the prior-space latents z [S, B, n]}
        of every bound in `iw_bounds`, all with the same samples."""
        return {"iw_nll": distributions.prior(self.latent_dim, z.dtype).log_prob(z)}

    def log_prob_iw_bounds(self, x, num_samples=500, chunk_size=100, seed=0):
        """`log_prob_iw` of every bound in `iw_bounds()`, from the same
        samples and decodings: {key: log p(x) per example}."""
        if int(num_samples) < 1 or int(chunk_size) < 1:
            raise ValueError("num_samples and chunk_size must be >= 1")
        if _is_empty(x):
            return {k: np.zeros((0,), np.float32) for k in self.iw_bounds()}
        x = self._prepare(x)
        if int(x.shape[0]) == 0:
            return {k: np.zeros((0,), np.float32) for k in self.iw_bounds()}
        rows = max(
            1, self.max_decoded_elements // self.likelihood.params_per_example(x)
        )
        batch = int(x.shape[0])
        if batch > rows:  # even one sample per example is too much: split x
            parts = [
                self._log_prob_iw(x[i : i + rows], num_samples, 1, (int(seed), i))
                for i in range(0, batch, rows)
            ]
            return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        chunk = min(int(chunk_size), max(1, rows // max(batch, 1)))
        return self._log_prob_iw(x, num_samples, chunk, (int(seed), 0))

    def _log_prob_iw(self, x, num_samples, chunk_size, seed):
        fn = self._compiled("iw_chunk", self._iw_chunk)
        mu, logvar = self._compiled("posterior", self._posterior_batch)(x)
        total = None
        for k, start in enumerate(range(0, int(num_samples), int(chunk_size))):
            count = min(int(chunk_size), int(num_samples) - start)
            seed_k = tf.constant([seed[0], seed[1] * 1_000_003 + k], tf.int64)
            lse = fn(x, mu, logvar, tf.constant(count), seed_k)
            total = (
                lse
                if total is None
                else {
                    key: tf.experimental.numpy.logaddexp(total[key], value)
                    for key, value in lse.items()
                }
            )
        log_k = math.log(int(num_samples))
        return {key: (value - log_k).numpy() for key, value in total.items()}

    def proposal_params(self, mu, logvar, training=False):
        """Importance proposal in prior space for `log_prob_iw` (Scale-VAE
        maps its reconstruction posterior back, with the factor of training
        or of evaluation)."""
        return mu, logvar

    def _iw_chunk(self, x, mu, logvar, count, seed):
        mu, logvar = self.proposal_params(mu, logvar)
        eps = tf.random.stateless_normal(
            tf.concat([[count], tf.shape(mu)], 0), seed=seed, dtype=mu.dtype
        )
        z = mu + tf.exp(0.5 * logvar) * eps
        log_qz = distributions.posterior(mu, logvar).log_prob(z)
        log_px_z = self.conditional_log_prob(x, z)
        return {
            key: tf.reduce_logsumexp(log_px_z + log_pz - log_qz, axis=0)
            for key, log_pz in self.log_priors(z).items()
        }

    def conditional_log_prob(self, x, z):
        """log p(x|z) for latents z of shape [S, B, n] (S per example): [S, B].

        z is in prior space (`generation_latent` maps it to the decoder); the
        S * B decodings run as one batch.
        """
        samples, batch = tf.shape(z)[0], tf.shape(x)[0]
        flat_z = tf.reshape(z, [-1, self.latent_dim])
        tiled_x = tf.reshape(
            tf.tile(
                x[None], tf.concat([[samples], tf.ones([tf.rank(x)], tf.int32)], 0)
            ),
            tf.concat([[samples * batch], tf.shape(x)[1:]], 0),
        )
        params = self.decoder(self.generation_latent(flat_z), tiled_x, training=False)
        return tf.reshape(self.likelihood.log_prob(params, tiled_x), [samples, batch])

    def sample(self, num_samples, seed=0, max_length=50, greedy=False):
        """Generates `num_samples` examples from z ~ p(z).

        Autoregressive decoders decode up to `max_length` tokens; the others
        return a sample of the likelihood.
        """
        if int(num_samples) < 0:
            raise ValueError(f"num_samples must be >= 0, got {num_samples}")
        if hasattr(self.decoder, "generate") and int(max_length) < 1:
            raise ValueError(f"max_length must be >= 1, got {max_length}")
        if int(num_samples) == 0:
            shape = (0, int(max_length)) if hasattr(self.decoder, "generate") else (0,)
            if not hasattr(self.decoder, "generate"):
                shape += tuple(self.likelihood.example_shape())
            return np.zeros(shape, self.likelihood.data_dtype)
        z = tf.random.stateless_normal(
            [int(num_samples), self.latent_dim], [int(seed), 1]
        )
        return self._decode(self.generation_latent(z), seed, max_length, greedy)

    def reconstruct(self, x, max_length=None, greedy=True, seed=0):
        """Decodes x from its posterior mean (greedy for autoregressive models,
        the likelihood's mean otherwise)."""
        x = self._prepare(x)
        mu, _ = self.posterior_params(x, training=False)
        max_length = max_length or int(tf.shape(x)[1]) - 1
        return self._decode(self.decoder_mean(mu, False), seed, max_length, greedy)

    def _decode(self, z, seed, max_length, greedy):
        if hasattr(self.decoder, "generate"):
            return np.asarray(
                self.decoder.generate(
                    z, max_length, BOS_ID, EOS_ID, greedy=greedy, seed=seed
                )
            )
        params = self.decoder(z, None, training=False)
        if greedy:
            return self.likelihood.mean(params).numpy()
        return self.likelihood.sample(params, seed=tf.constant([int(seed), 2])).numpy()

    # -- presets -------------------------------------------------------------
    def save_to_preset(self, preset_dir, metadata=None, card=None, overwrite=False):
        """Writes the model as a preset folder in the keras-hub layout
        (config.json, model.weights.h5, assets/tokenizer/, metadata.json with
        checksums, README.md): see `zoo.save_preset`."""
        from keras_vae_collapse.zoo.preset_io import save_preset

        return save_preset(self, preset_dir, metadata, card, overwrite)

    @classmethod
    def from_preset(cls, preset, verify=True):
        """The model of a preset: a zoo name (`"yelp_scale_vae"`, see
        `zoo.list_models()`) or a preset folder. Checksums are verified; the
        class must be `cls` or a subclass (`VAE.from_preset` loads any)."""
        from keras_vae_collapse.zoo.model_store import load

        model = load(preset, verify=verify)
        if not isinstance(model, cls):
            raise TypeError(
                f"preset {preset!r} holds a {type(model).__name__}, "
                f"not a {cls.__name__}"
            )
        return model

    # -- serialization -----------------------------------------------------
    def _all_seed_generators(self):
        seen, generators = set(), []
        for layer in self._flatten_layers(include_self=True, recursive=True):
            for generator in getattr(layer, "_seed_generators", []):
                if id(generator) not in seen:
                    seen.add(id(generator))
                    generators.append(generator)
        return generators

    def save_own_variables(self, store):
        """Saves the model's variables and the state of every random-number
        generator (sampling, dropout), so a resumed run draws the same noise."""
        super().save_own_variables(store)
        for i, generator in enumerate(self._all_seed_generators()):
            store[f"{_SEED_KEY}{i}"] = generator.state

    def load_own_variables(self, store):
        keys = list(store.keys())
        own = {k: store[k] for k in keys if not k.startswith(_SEED_KEY)}
        super().load_own_variables(own)
        for i, generator in enumerate(self._all_seed_generators()):
            if f"{_SEED_KEY}{i}" in keys:
                generator.state.assign(store[f"{_SEED_KEY}{i}"])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "likelihood": keras.saving.serialize_keras_object(self.likelihood),
                "latent_dim": self.latent_dim,
                "kl_schedule": keras.saving.serialize_keras_object(self.kl_schedule),
                "free_bits": None
                if self.free_bits is None
                else keras.saving.serialize_keras_object(self.free_bits),
                "posterior_transform": None
                if self.posterior_transform is None
                else keras.saving.serialize_keras_object(self.posterior_transform),
                "clip_norm": self.clip_norm,
                "seed": self.seed,
                "tokenizer": None
                if self.tokenizer is None
                else keras.saving.serialize_keras_object(self.tokenizer),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in (
            "encoder",
            "decoder",
            "likelihood",
            "kl_schedule",
            "free_bits",
            "posterior_transform",
            "tokenizer",
        ):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
