import keras


def _reference_conv_initializer():
    """N(0, 2 / (kh * kw * out_channels)): the reference's reset_parameters."""
    return keras.initializers.VarianceScaling(
        2.0, mode="fan_out", distribution="untruncated_normal"
    )


class _ResidualBlock(keras.layers.Layer):
    """conv3x3(stride) -> BN -> ELU -> conv3x3 -> BN, plus a projected
    shortcut, -> ELU. The 3x3 convolutions pad one pixel on every side (as
    PyTorch's padding=1), so a strided one is centred on the pixels the
    strided 1x1 shortcut samples."""

    def __init__(self, channels, stride, bn_momentum, bn_epsilon, **kwargs):
        super().__init__(**kwargs)

        def conv(s, k, name):
            return keras.layers.Conv2D(
                channels,
                k,
                strides=s,
                padding="valid",
                use_bias=False,
                kernel_initializer=_reference_conv_initializer(),
                name=name,
            )

        def bn(name):
            return keras.layers.BatchNormalization(
                momentum=bn_momentum, epsilon=bn_epsilon, name=name
            )

        self.pad = keras.layers.ZeroPadding2D(1, name="pad")
        self.conv1, self.bn1 = conv(stride, 3, "conv1"), bn("bn1")
        self.conv2, self.bn2 = conv(1, 3, "conv2"), bn("bn2")
        self.shortcut = conv(stride, 1, "shortcut")
        self.bn_shortcut = bn("bn_shortcut")

    def call(self, x, training=None):
        h = self.bn1(self.conv1(self.pad(x)), training=training)
        h = keras.activations.elu(h)
        h = self.bn2(self.conv2(self.pad(h)), training=training)
        skip = self.bn_shortcut(self.shortcut(x), training=training)
        return keras.activations.elu(h + skip)


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class ResNetEncoder(keras.layers.Layer):
    """Residual image encoder of He et al. 2019 (Omniglot): x -> (mu, logvar).

    `ResNetEncoderV2` of jxhe/vae-lagging-encoder
    (modules/encoders/enc_resnet_v2.py), the encoder image.py uses:
    `num_blocks` residual blocks of `channels` channels, stride 2 each
    (28 -> 14 -> 7 -> 4), a valid convolution without bias over the
    remaining map to `hidden_dim` channels, batch norm, ELU, dense to 2n.
    Convolutions have no bias and start from N(0, 2 / (k * k * out)) as in
    the reference; batch norm uses the reference's (PyTorch's) settings.

    Args:
        latent_dim: n (32 in the papers).
        channels: channels of the residual blocks (64).
        num_blocks: residual blocks (3).
        hidden_dim: channels of the last convolution (512).
        bn_momentum: Keras momentum of batch norm (0.9 = PyTorch's 0.1).
        bn_epsilon: epsilon of batch norm (1e-5, PyTorch's default).
    """

    def __init__(
        self,
        latent_dim,
        channels=64,
        num_blocks=3,
        hidden_dim=512,
        bn_momentum=0.9,
        bn_epsilon=1e-5,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.channels = int(channels)
        self.num_blocks = int(num_blocks)
        self.hidden_dim = int(hidden_dim)
        self.bn_momentum = float(bn_momentum)
        self.bn_epsilon = float(bn_epsilon)
        self.blocks = [
            _ResidualBlock(
                self.channels, 2, self.bn_momentum, self.bn_epsilon, name=f"block_{i}"
            )
            for i in range(self.num_blocks)
        ]
        self.bn = keras.layers.BatchNormalization(
            momentum=self.bn_momentum, epsilon=self.bn_epsilon, name="bn"
        )
        self.head = keras.layers.Dense(2 * self.latent_dim, name="head")

    def build(self, input_shape):
        size = list(input_shape[1:3])
        for _ in range(self.num_blocks):
            size = [(s + 1) // 2 for s in size]
        self.last_conv = keras.layers.Conv2D(
            self.hidden_dim,
            tuple(size),
            padding="valid",
            use_bias=False,
            kernel_initializer=_reference_conv_initializer(),
            name="last_conv",
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
                "bn_momentum": self.bn_momentum,
                "bn_epsilon": self.bn_epsilon,
            }
        )
        return config
