import keras
import tensorflow as tf

from keras_vae_collapse.networks.text_lstm_decoder import uniform


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class TextLSTMEncoder(keras.layers.Layer):
    """LSTM text encoder of He et al. 2019: tokens -> (mu, logvar).

    Embedding (uniform +-0.1) -> one-layer LSTM -> last hidden state of the
    non-padding tokens -> dense without bias to 2n. LSTM and dense weights are
    uniform(+-0.01) as in the reference code. Padding id is 0 and is masked.

    Args:
        vocab_size: number of token ids.
        latent_dim: n (32 for Yahoo / Yelp).
        embedding_dim: word embedding size (512 at paper scale).
        hidden_dim: LSTM size (1024 at paper scale).
    """

    def __init__(
        self, vocab_size, latent_dim, embedding_dim=512, hidden_dim=1024, **kwargs
    ):
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.latent_dim = int(latent_dim)
        self.embedding_dim = int(embedding_dim)
        self.hidden_dim = int(hidden_dim)
        self.embedding = keras.layers.Embedding(
            self.vocab_size,
            self.embedding_dim,
            embeddings_initializer=uniform(0.1),
            mask_zero=True,
            name="embedding",
        )
        self.lstm = keras.layers.LSTM(
            self.hidden_dim,
            kernel_initializer=uniform(0.01),
            recurrent_initializer=uniform(0.01),
            bias_initializer=uniform(0.01),
            unit_forget_bias=False,
            name="lstm",
        )
        self.head = keras.layers.Dense(
            2 * self.latent_dim,
            use_bias=False,
            kernel_initializer=uniform(0.01),
            name="head",
        )

    def build(self, input_shape):
        self.embedding.build(input_shape)
        self.lstm.build((input_shape[0], input_shape[1], self.embedding_dim))
        self.head.build((input_shape[0], self.hidden_dim))

    def call(self, x, training=None):
        h = self.lstm(self.embedding(x), training=training)
        out = tf.cast(self.head(h), tf.float32)  # fp32 under mixed precision
        return out[:, : self.latent_dim], out[:, self.latent_dim :]

    def compute_mask(self, x, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocab_size": self.vocab_size,
                "latent_dim": self.latent_dim,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
            }
        )
        return config
