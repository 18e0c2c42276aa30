import keras
import tensorflow as tf


def uniform(limit):
    return keras.initializers.RandomUniform(-limit, limit)


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class TextLSTMDecoder(keras.layers.Layer):
    """LSTM language-model decoder of He et al. 2019: (z, tokens) -> logits.

    Embedding of x[:, :-1] (uniform +-0.1) -> dropout -> z concatenated to every
    time step -> one-layer LSTM with initial state c0 = dense(z) (no bias),
    h0 = tanh(c0) -> dropout -> dense to the vocabulary (no bias). Other weights
    uniform(+-0.01). Returns logits [B, T - 1, vocab_size] for x[:, 1:].
    With `skip_latent`, z is also concatenated to the LSTM output before the
    vocabulary layer (Dieng et al. 2019's skip to the softmax; for one LSTM
    layer the only change of Skip-VAE's decoder, yoonkim/skip-vae).

    Args:
        vocab_size: number of token ids.
        latent_dim: n.
        embedding_dim: word embedding size (512 at paper scale).
        hidden_dim: LSTM size (1024 at paper scale).
        dropout: dropout rate on the embeddings and on the LSTM outputs (0.5).
        skip_latent: feed z to the vocabulary layer too (Skip-VAE).
    """

    def __init__(
        self,
        vocab_size,
        latent_dim,
        embedding_dim=512,
        hidden_dim=1024,
        dropout=0.5,
        skip_latent=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.latent_dim = int(latent_dim)
        self.embedding_dim = int(embedding_dim)
        self.hidden_dim = int(hidden_dim)
        self.dropout = float(dropout)
        self.skip_latent = bool(skip_latent)
        self.embedding = keras.layers.Embedding(
            self.vocab_size,
            self.embedding_dim,
            embeddings_initializer=uniform(0.1),
            name="embedding",
        )
        self.input_dropout = keras.layers.Dropout(self.dropout)
        self.output_dropout = keras.layers.Dropout(self.dropout)
        self.latent_to_cell = keras.layers.Dense(
            self.hidden_dim,
            use_bias=False,
            kernel_initializer=uniform(0.01),
            name="latent_to_cell",
        )
        self.lstm = keras.layers.LSTM(
            self.hidden_dim,
            return_sequences=True,
            return_state=True,
            kernel_initializer=uniform(0.01),
            recurrent_initializer=uniform(0.01),
            bias_initializer=uniform(0.01),
            unit_forget_bias=False,
            name="lstm",
        )
        self.head = keras.layers.Dense(
            self.vocab_size,
            use_bias=False,
            kernel_initializer=uniform(0.01),
            name="head",
        )

    def build(self, z_shape, x_shape=None):
        batch = z_shape[0]
        self.embedding.build((batch, None))
        self.latent_to_cell.build(z_shape)
        self.lstm.build((batch, None, self.embedding_dim + self.latent_dim))
        skip = self.latent_dim if self.skip_latent else 0
        self.head.build((batch, None, self.hidden_dim + skip))

    def _step_inputs(self, z, tokens, training):
        e = self.input_dropout(self.embedding(tokens), training=training)
        steps = tf.shape(tokens)[1]
        z_steps = tf.tile(z[:, None, :], tf.stack([1, steps, 1]))
        return tf.concat([e, tf.cast(z_steps, e.dtype)], axis=-1)

    def call(self, z, x, training=None):
        inputs = self._step_inputs(z, x[:, :-1], training)
        c0 = self.latent_to_cell(z)
        h, _, _ = self.lstm(inputs, initial_state=[tf.tanh(c0), c0], training=training)
        return self._logits(z, self.output_dropout(h, training=training))

    def _logits(self, z, h):
        if self.skip_latent:  # z is not dropped out (as the reference)
            if len(h.shape) == 3:
                z = tf.tile(z[:, None, :], tf.stack([1, tf.shape(h)[1], 1]))
            h = tf.concat([h, tf.cast(z, h.dtype)], axis=-1)
        # Logits in fp32 (the softmax and the loss) under mixed precision.
        return tf.cast(self.head(h), tf.float32)

    def generate(self, z, max_length, bos_id, eos_id, greedy=False, seed=0):
        """Decodes token ids [B, max_length] from z, starting after <s>.

        Ancestral sampling with the integer `seed` (or greedy with
        `greedy=True`); positions after </s> are padding (0). The returned ids
        do not include <s>.
        """
        z = tf.convert_to_tensor(z, tf.float32)
        batch = tf.shape(z)[0]
        c = self.latent_to_cell(z)
        states = [tf.tanh(c), c]
        token = tf.fill([batch], bos_id)
        done = tf.zeros([batch], tf.bool)
        out = []
        for t in range(int(max_length)):
            inputs = self._step_inputs(z, token[:, None], False)[:, 0]
            h, states = self.lstm.cell(inputs, states, training=False)
            logits = self._logits(z, h)
            if greedy:
                token = tf.argmax(logits, axis=-1, output_type=tf.int32)
            else:
                token = tf.random.stateless_categorical(
                    logits, 1, seed=[int(seed), t], dtype=tf.int32
                )[:, 0]
            token = tf.where(done, 0, token)
            out.append(token)
            done = done | tf.equal(token, eos_id)
        return tf.stack(out, axis=1)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocab_size": self.vocab_size,
                "latent_dim": self.latent_dim,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "dropout": self.dropout,
                "skip_latent": self.skip_latent,
            }
        )
        return config
