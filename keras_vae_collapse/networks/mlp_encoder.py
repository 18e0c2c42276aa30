import keras


@keras.saving.register_keras_serializable(package="keras_vae_collapse")
class MLPEncoder(keras.layers.Layer):
    """Fully connected Gaussian encoder x -> (mu, logvar).

    With `hidden_dims=()` it is affine, which is what the linear-Gaussian checks
    and the one-dimensional synthetic experiments use.

    Args:
        latent_dim: n, the latent dimension.
        hidden_dims: sizes of the hidden layers.
        activation: activation of the hidden layers.
    """

    def __init__(self, latent_dim, hidden_dims=(), activation="tanh", **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        self.activation = activation
        self.flatten = keras.layers.Flatten()
        self.hidden = [
            keras.layers.Dense(h, activation=activation, name=f"hidden_{i}")
            for i, h in enumerate(self.hidden_dims)
        ]
        self.head = keras.layers.Dense(2 * self.latent_dim, name="head")

    def build(self, input_shape):
        size = 1
        for d in input_shape[1:]:
            size *= d
        for layer in self.hidden:
            layer.build((input_shape[0], size))
            size = layer.units
        self.head.build((input_shape[0], size))

    def call(self, x, training=None):
        h = self.flatten(x)
        for layer in self.hidden:
            h = layer(h)
        out = self.head(h)
        return out[:, : self.latent_dim], out[:, self.latent_dim :]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "latent_dim": self.latent_dim,
                "hidden_dims": list(self.hidden_dims),
                "activation": self.activation,
            }
        )
        return config
