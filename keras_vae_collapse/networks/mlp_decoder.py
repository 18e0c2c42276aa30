import keras


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class MLPDecoder(keras.layers.Layer):
    """Fully connected decoder z -> likelihood parameters of shape `output_shape`.

    Not autoregressive: the data argument of `call` is ignored.

    Args:
        output_shape: shape of one example, e.g. (784,) or (28, 28, 1).
        hidden_dims: sizes of the hidden layers.
        activation: activation of the hidden layers.
    """

    def __init__(self, output_shape, hidden_dims=(), activation="tanh", **kwargs):
        super().__init__(**kwargs)
        self.output_shape_ = tuple(int(d) for d in output_shape)
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        self.activation = activation
        size = 1
        for d in self.output_shape_:
            size *= d
        self.hidden = [
            keras.layers.Dense(h, activation=activation, name=f"hidden_{i}")
            for i, h in enumerate(self.hidden_dims)
        ]
        self.head = keras.layers.Dense(size, name="head")
        self.reshape = keras.layers.Reshape(self.output_shape_)

    def build(self, z_shape, x_shape=None):
        size = z_shape[-1]
        for layer in self.hidden:
            layer.build((z_shape[0], size))
            size = layer.units
        self.head.build((z_shape[0], size))

    def call(self, z, x=None, training=None):
        h = z
        for layer in self.hidden:
            h = layer(h)
        return self.reshape(self.head(h))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "output_shape": list(self.output_shape_),
                "hidden_dims": list(self.hidden_dims),
                "activation": self.activation,
            }
        )
        return config
