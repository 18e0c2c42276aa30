import keras
import numpy as np


def causal_mask(kernel_size, in_channels, filters, mask_type):
    """[kh, kw, in, out] mask of a PixelCNN convolution: rows above the centre
    and the centre row left of the centre; type "B" also the centre."""
    kh, kw = kernel_size
    mask = np.zeros((kh, kw, in_channels, filters), np.float32)
    mask[: kh // 2] = 1.0
    mask[kh // 2, : kw // 2] = 1.0
    if mask_type == "B":
        mask[kh // 2, kw // 2] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class MaskedConv2D(keras.layers.Conv2D):
    """Masked 2-D convolution of PixelCNN (van den Oord et al. 2016).

    Output pixel (i, j) sees only input pixels before it in raster order
    (type "A", the first layer) or also itself (type "B", later layers), so
    a stack of one type-A and any type-B layers is autoregressive. "same"
    padding, stride 1, odd kernel sizes.

    Args:
        mask_type: "A" or "B".
        filters, kernel_size, ...: as `keras.layers.Conv2D`.
    """

    def __init__(self, mask_type, filters, kernel_size, **kwargs):
        if mask_type not in ("A", "B"):
            raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
        kwargs.setdefault("padding", "same")
        if kwargs["padding"] != "same":
            raise ValueError("MaskedConv2D needs padding='same'")
        super().__init__(filters, kernel_size, **kwargs)
        if any(k % 2 == 0 for k in self.kernel_size) or self.strides != (1, 1):
            raise ValueError("MaskedConv2D needs odd kernel sizes and stride 1")
        self.mask_type = mask_type

    def build(self, input_shape):
        super().build(input_shape)
        self.mask = causal_mask(
            self.kernel_size, int(input_shape[-1]), self.filters, self.mask_type
        )

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * self.mask)

    def get_config(self):
        config = super().get_config()
        config["mask_type"] = self.mask_type
        return config
