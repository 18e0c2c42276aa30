import keras
import tensorflow as tf

from keras_vae_collapse.layers.masked_conv2d import MaskedConv2D
from keras_vae_collapse.networks.pixel_sampling import sample_pixels

#: Kernel sizes of the "large" PixelCNNDecoderV2 that image.py builds for
#: Omniglot: the first (type-A) layer, then one per bottleneck block.
PAPER_KERNELS_V2 = (7, 7, 7, 7, 7, 5, 5, 5, 5, 3, 3, 3, 3)


def _reference_conv_initializer():
    """N(0, 2 / (kh * kw * out_channels)): the reference's reset_parameters."""
    return keras.initializers.VarianceScaling(
        2.0, mode="fan_out", distribution="untruncated_normal"
    )


def _torch_default_conv_initializer():
    """U(+-1 / sqrt(fan_in)): PyTorch's default Conv2d init, which the
    reference keeps for its two 1x1 head convolutions."""
    return keras.initializers.VarianceScaling(
        1.0 / 3.0, mode="fan_in", distribution="uniform"
    )


class _BottleneckMaskedBlock(keras.layers.Layer):
    """ELU(h + BN(conv1x1(ELU(BN(masked-B conv k x k(ELU(BN(conv1x1(h)))))))))
    with a bottleneck of channels // 2; no convolution has a bias."""

    def __init__(self, channels, kernel_size, bn_momentum, bn_epsilon, **kwargs):
        super().__init__(**kwargs)
        inner = channels // 2

        def conv(filters, name):
            return keras.layers.Conv2D(
                filters,
                1,
                use_bias=False,
                kernel_initializer=_reference_conv_initializer(),
                name=name,
            )

        def bn(name):
            return keras.layers.BatchNormalization(
                momentum=bn_momentum, epsilon=bn_epsilon, name=name
            )

        self.reduce, self.bn_reduce = conv(inner, "reduce"), bn("bn_reduce")
        self.masked = MaskedConv2D(
            "B",
            inner,
            kernel_size,
            use_bias=False,
            kernel_initializer=_reference_conv_initializer(),
            name="masked",
        )
        self.bn_masked = bn("bn_masked")
        self.expand, self.bn_expand = conv(channels, "expand"), bn("bn_expand")

    def call(self, h, training=None):
        out = keras.activations.elu(self.bn_reduce(self.reduce(h), training=training))
        out = keras.activations.elu(self.bn_masked(self.masked(out), training=training))
        out = self.bn_expand(self.expand(out), training=training)
        return keras.activations.elu(out + h)


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class PixelCNNV2Decoder(keras.layers.Layer):
    """PixelCNN decoder with batch norm of He et al. 2019 (Omniglot): (z, x) -> logits.

    He, Spokoyny, Neubig, Berg-Kirkpatrick, "Lagging Inference Networks and
    Posterior Collapse in Variational Autoencoders", ICLR 2019; the network
    is `PixelCNNDecoderV2` of jxhe/vae-lagging-encoder,
    modules/decoders/dec_pixelcnn_v2.py, in the "large" mode that image.py
    builds with config/config_omniglot.py (which sets only `nz` = 32 and
    `latent_feature_map` = 4 for it; its `dec_kernel_size` / `dec_layers`
    belong to the other, gated PixelCNN decoder).

    z -> dense to `latent_maps` feature maps of the image size. Layer 0: a
    `kernel_sizes[0]` convolution of image and z maps, type-A masked on the
    image only (the z maps do not depend on the image), batch norm, ELU.
    Layers 1..L-1: bottleneck residual blocks, each
    ELU(h + BN(1x1(ELU(BN(masked-B k x k(ELU(BN(1x1(h)))))))))
    with `channels // 2` inner channels. Direct connections: a second,
    separate block of the same kind (kernel `kernel_sizes[j + 1]`) carries
    the output of layer j to the input of layer j + 3 (added), and the output
    of layer L - 3 to the output of the last layer. Head: 1x1 convolution,
    batch norm, ELU, 1x1 convolution to one Bernoulli logit per pixel
    [B, H, W, 1] (the reference applies a sigmoid; the likelihood takes
    logits here). No convolution has a bias; the dense layer has one.
    Initialisation as the reference: N(0, 2 / (k * k * out)) for the masked
    network, Glorot-uniform for the dense layer, PyTorch's default for the
    head convolutions, BN scale 1 and offset 0.

    With `training=False` (moving BN statistics) the logit of a pixel depends
    on z and on the pixels before it in raster order only. In training, as
    in the reference, the batch statistics of batch norm mix all pixels of
    the batch, so each logit also depends (weakly) on later pixels.

    Differences from `PixelCNNDecoder`: batch norm everywhere (so `training`
    matters, and the layer has moving statistics), bottleneck blocks with a
    residual ELU instead of ELU-conv-ELU-1x1 blocks, the direct connections,
    no biases, a first layer that is part of `kernel_sizes` (no
    `first_kernel`), and `generate` returns a tf.Tensor (what `VAE.sample`
    expects) rather than a NumPy array.

    With `skip_latent` (Skip-VAE, Dieng et al. 2019: z enters every layer of
    the generative model), a 1x1 convolution of the z maps (no bias) is also
    added to the input of every block of the main stack (not the direct
    connections) and of the head, so z
    reaches the logits without passing through the masked stack. The z maps
    do not depend on the image, so the decoder stays causal.

    Args:
        latent_dim: n (32 in the paper).
        image_shape: (H, W, 1).
        channels: channels between the blocks (64); the bottleneck of each
            block has channels // 2.
        kernel_sizes: kernel size of the type-A layer, then of each
            bottleneck block (paper: `PAPER_KERNELS_V2`, 13 layers); at
            least 3 entries. The direct connection into layer j + 3 uses
            `kernel_sizes[j + 1]`.
        latent_maps: feature maps made from z (4).
        bn_momentum: Keras momentum of batch norm (0.9 = PyTorch's 0.1).
        bn_epsilon: epsilon of batch norm (1e-5, PyTorch's default).
        skip_latent: feed the z maps to every block and the head too
            (Skip-VAE); may be switched on until the layer is built.
    """

    def __init__(
        self,
        latent_dim,
        image_shape=(28, 28, 1),
        channels=64,
        kernel_sizes=PAPER_KERNELS_V2,
        latent_maps=4,
        bn_momentum=0.9,
        bn_epsilon=1e-5,
        skip_latent=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.image_shape = tuple(int(d) for d in image_shape)
        if len(self.image_shape) != 3 or self.image_shape[-1] != 1:
            raise ValueError(f"image_shape must be (H, W, 1), got {image_shape}")
        self.channels = int(channels)
        if self.channels < 2:
            raise ValueError(f"channels must be >= 2, got {channels}")
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        if len(self.kernel_sizes) < 3:
            raise ValueError(
                f"kernel_sizes needs at least 3 entries, got {self.kernel_sizes}"
            )
        self.latent_maps = int(latent_maps)
        self.bn_momentum = float(bn_momentum)
        self.bn_epsilon = float(bn_epsilon)
        self.skips = []  # made in build, so Skip-VAE can switch them on
        self.skip_latent = skip_latent
        height, width, _ = self.image_shape
        first = self.kernel_sizes[0]

        def block(kernel, name):
            return _BottleneckMaskedBlock(
                self.channels, kernel, self.bn_momentum, self.bn_epsilon, name=name
            )

        self.latent_to_maps = keras.layers.Dense(
            height * width * self.latent_maps, name="latent_to_maps"
        )
        # One convolution over [image, z maps] in the reference, masked on
        # the image channel only: here the sum of a masked and a plain one.
        self.first_image = MaskedConv2D(
            "A",
            self.channels,
            first,
            use_bias=False,
            kernel_initializer=_reference_conv_initializer(),
            name="first_image",
        )
        self.first_latent = keras.layers.Conv2D(
            self.channels,
            first,
            padding="same",
            use_bias=False,
            kernel_initializer=_reference_conv_initializer(),
            name="first_latent",
        )
        self.first_bn = keras.layers.BatchNormalization(
            momentum=self.bn_momentum, epsilon=self.bn_epsilon, name="first_bn"
        )
        self.blocks = [
            block(k, f"block_{i}") for i, k in enumerate(self.kernel_sizes[1:], 1)
        ]
        self.direct = [
            block(k, f"direct_{j}") for j, k in enumerate(self.kernel_sizes[1:-1])
        ]
        self.hidden = keras.layers.Conv2D(
            self.channels,
            1,
            use_bias=False,
            kernel_initializer=_torch_default_conv_initializer(),
            name="hidden",
        )
        self.hidden_bn = keras.layers.BatchNormalization(
            momentum=self.bn_momentum, epsilon=self.bn_epsilon, name="hidden_bn"
        )
        self.head = keras.layers.Conv2D(
            1,
            1,
            use_bias=False,
            kernel_initializer=_torch_default_conv_initializer(),
            name="head",
        )
        self._logits_fn = None

    @property
    def skip_latent(self):
        return self._skip_latent

    @skip_latent.setter
    def skip_latent(self, value):
        if self.built and bool(value) != bool(self.skips):
            raise ValueError("skip_latent can change only before the decoder is built")
        self._skip_latent = bool(value)

    def build(self, z_shape, x_shape=None):
        if self.skip_latent and not self.skips:
            # One per block of the main stack, then one for the head.
            self.skips = [
                keras.layers.Conv2D(
                    self.channels,
                    1,
                    use_bias=False,
                    kernel_initializer=_reference_conv_initializer(),
                    dtype=self.dtype_policy,
                    name=f"skip_{i}",
                )
                for i in range(len(self.blocks) + 1)
            ]

    def call(self, z, x, training=None):
        height, width, _ = self.image_shape
        maps = tf.reshape(self.latent_to_maps(z), [-1, height, width, self.latent_maps])
        h = self.first_image(tf.cast(x, maps.dtype)) + self.first_latent(maps)
        outputs = [keras.activations.elu(self.first_bn(h, training=training))]
        for i, block in enumerate(self.blocks, 1):
            h = outputs[i - 1]
            if i >= 3:
                h = h + self.direct[i - 3](outputs[i - 3], training=training)
            if self.skips:
                h = h + self.skips[i - 1](maps)
            outputs.append(block(h, training=training))
        h = outputs[-1] + self.direct[-1](outputs[-3], training=training)
        if self.skips:
            h = h + self.skips[-1](maps)
        h = self.hidden_bn(self.hidden(h), training=training)
        return self.head(keras.activations.elu(h))

    def generate(
        self, z, max_length=None, bos_id=None, eos_id=None, greedy=False, seed=0
    ):
        """Samples images [B, H, W, 1] (a tf.Tensor) pixel by pixel in raster
        order (H * W decoder passes, moving BN statistics). Greedy takes the
        more likely value. The text arguments are ignored."""
        if self._logits_fn is None:
            self._logits_fn = tf.function(
                lambda z, x: self(z, x, training=False), reduce_retracing=True
            )
        return sample_pixels(
            self._logits_fn, z, self.image_shape, greedy=greedy, seed=seed
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "latent_dim": self.latent_dim,
                "image_shape": list(self.image_shape),
                "channels": self.channels,
                "kernel_sizes": list(self.kernel_sizes),
                "latent_maps": self.latent_maps,
                "bn_momentum": self.bn_momentum,
                "bn_epsilon": self.bn_epsilon,
                "skip_latent": self.skip_latent,
            }
        )
        return config
