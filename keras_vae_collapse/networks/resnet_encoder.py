import keras


class _ResidualBlock(keras.layers.Layer):
    """conv3x3(stride) -> BN -> ELU -> conv3x3 -> BN, plus a projected
    shortcut, -> ELU."""

    def __init__(self, channels, stride, **kwargs):
        super().__init__(**kwargs)
        conv = lambda s, k, name: keras.layers.Conv2D(  # noqa: E731
            channels, k, strides=s, padding="same", use_bias=False, name=name
        )
        self.conv1, self.bn1 = (
            conv(stride, 3, "conv1"),
            keras.layers.BatchNormalization(),
        )
        self.conv2, self.bn2 = conv(1, 3, "conv2"), keras.layers.BatchNormalization()
        self.shortcut = conv(stride, 1, "shortcut")
        self.bn_shortcut = keras.layers.BatchNormalization()

    def call(self, x, training=None):
        h = keras.activations.elu(self.bn1(self.conv1(x), training=training))
        h = self.bn2(self.conv2(h), training=training)
        skip = self.bn_shortcut(self.shortcut(x), training=training)
        return keras.activations.elu(h + skip)


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class ResNetEncoder(keras.layers.Layer):
    """Residual image encoder of He et al. 2019 (Omniglot): x -> (mu, logvar).

    `num_blocks` residual blocks of `channels` channels, stride 2 each
    (28 -> 14 -> 7 -> 4), a valid convolution over the remaining map to
    `hidden_dim` channels, batch norm, ELU, dense to 2n.

    Args:
        latent_dim: n (32 in the papers).
        channels: channels of the residual blocks (64).
        num_blocks: residual blocks (3).
        hidden_dim: channels of the last convolution (512).
    """

    def __init__(self, latent_dim, channels=64, num_blocks=3, hidden_dim=512, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.channels = int(channels)
        self.num_blocks = int(num_blocks)
        self.hidden_dim = int(hidden_dim)
        self.blocks = [
            _ResidualBlock(self.channels, 2, name=f"block_{i}")
            for i in range(self.num_blocks)
        ]
        self.bn = keras.layers.BatchNormalization(name="bn")
        self.head = keras.layers.Dense(2 * self.latent_dim, name="head")

    def build(self, input_shape):
        size = list(input_shape[1:3])
        for _ in range(self.num_blocks):
            size = [(s + 1) // 2 for s in size]
        self.last_conv = keras.layers.Conv2D(
            self.hidden_dim, tuple(size), padding="valid", name="last_conv"
        )

    def call(self, x, training=None):
        h = x
        for block in self.blocks:
            h = block(h, training=training)
        h = self.bn(self.last_conv(h), training=training)
        h = keras.activations.elu(h)
        h = keras.ops.reshape(h, (-1, h.shape[1] * h.shape[2] * self.hidden_dim))
        out = self.head(h)
        return out[:, : self.latent_dim], out[:, self.latent_dim :]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "latent_dim": self.latent_dim,
                "channels": self.channels,
                "num_blocks": self.num_blocks,
                "hidden_dim": self.hidden_dim,
            }
        )
        return config
