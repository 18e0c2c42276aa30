import keras
import tensorflow as tf

from keras_vae_collapse.layers.masked_conv2d import MaskedConv2D
from keras_vae_collapse.networks.pixel_sampling import sample_pixels

PAPER_KERNELS = (7, 7, 7, 7, 5, 5, 5, 5, 3, 3, 3, 3)


class _MaskedResidualBlock(keras.layers.Layer):
    """h + conv1x1(ELU(masked-B conv k x k(ELU(h))))."""

    def __init__(self, channels, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.masked = MaskedConv2D("B", channels, kernel_size, name="masked")
        self.mix = keras.layers.Conv2D(channels, 1, name="mix")

    def call(self, h):
        out = self.masked(keras.activations.elu(h))
        return h + self.mix(keras.activations.elu(out))


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class PixelCNNDecoder(keras.layers.Layer):
    """Residual PixelCNN decoder of He et al. 2019 (Omniglot): (z, x) -> logits.

    z -> dense to `latent_maps` feature maps of the image size, joined to the
    image in the first layer: a type-A masked convolution of the image plus
    an unmasked convolution of the z maps (they do not depend on the image;
    masking them would hide z from the first pixel). Then residual blocks of
    type-B masked convolutions with `kernel_sizes`, then 1x1 convolutions to
    one Bernoulli logit per pixel [B, H, W, 1]. The logit of a pixel depends
    on z and on the pixels before it in raster order only.

    Args:
        latent_dim: n.
        image_shape: (H, W, 1).
        channels: channels of the masked convolutions (64).
        kernel_sizes: kernel size of each residual block (paper: 7,7,7,7,
            5,5,5,5,3,3,3,3).
        first_kernel: kernel size of the type-A convolution (7).
        latent_maps: feature maps made from z (4).
    """

    def __init__(
        self,
        latent_dim,
        image_shape=(28, 28, 1),
        channels=64,
        kernel_sizes=PAPER_KERNELS,
        first_kernel=7,
        latent_maps=4,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.image_shape = tuple(int(d) for d in image_shape)
        if len(self.image_shape) != 3 or self.image_shape[-1] != 1:
            raise ValueError(f"image_shape must be (H, W, 1), got {image_shape}")
        self.channels = int(channels)
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        self.first_kernel = int(first_kernel)
        self.latent_maps = int(latent_maps)
        height, width, _ = self.image_shape
        self.latent_to_maps = keras.layers.Dense(
            height * width * self.latent_maps, name="latent_to_maps"
        )
        self.first = MaskedConv2D("A", self.channels, self.first_kernel, name="first")
        self.first_latent = keras.layers.Conv2D(
            self.channels,
            self.first_kernel,
            padding="same",
            use_bias=False,
            name="first_latent",
        )
        self.blocks = [
            _MaskedResidualBlock(self.channels, k, name=f"block_{i}")
            for i, k in enumerate(self.kernel_sizes)
        ]
        self.hidden = keras.layers.Conv2D(self.channels, 1, name="hidden")
        self.head = keras.layers.Conv2D(1, 1, name="head")

    def build(self, z_shape, x_shape=None):
        pass

    def call(self, z, x, training=None):
        height, width, _ = self.image_shape
        maps = tf.reshape(self.latent_to_maps(z), [-1, height, width, self.latent_maps])
        h = self.first(tf.cast(x, maps.dtype)) + self.first_latent(maps)
        for block in self.blocks:
            h = block(h)
        h = self.hidden(keras.activations.elu(h))
        return self.head(keras.activations.elu(h))

    def generate(
        self, z, max_length=None, bos_id=None, eos_id=None, greedy=False, seed=0
    ):
        """Samples images [B, H, W, 1] pixel by pixel in raster order (H * W
        decoder passes). Greedy takes the more likely value. The text
        arguments are ignored."""
        logits_fn = lambda z, x: self(z, x, training=False)  # noqa: E731
        return sample_pixels(
            logits_fn, z, self.image_shape, greedy=greedy, seed=seed
        ).numpy()

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "latent_dim": self.latent_dim,
                "image_shape": list(self.image_shape),
                "channels": self.channels,
                "kernel_sizes": list(self.kernel_sizes),
                "first_kernel": self.first_kernel,
                "latent_maps": self.latent_maps,
            }
        )
        return config
