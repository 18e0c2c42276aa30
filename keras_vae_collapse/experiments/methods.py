"""The methods of the package by name, as used by the experiments and scripts."""

from keras_vae_collapse import schedules
from keras_vae_collapse.models import (
    BNVAE,
    DUVAE,
    VAE,
    AggressiveVAE,
    DeltaVAE,
    ScaleVAE,
)


def _schedule(kind):
    def make(steps_per_epoch, epochs, warm_up_epochs=None):
        warm_up = warm_up_epochs or max(epochs / 2, 1)
        if kind in ("anneal", "anneal0"):
            start = 0.1 if kind == "anneal" else 0.0
            return schedules.LinearAnnealing(steps_per_epoch, start, warm_up)
        if kind == "cyclical":
            return schedules.CyclicalAnnealing(steps_per_epoch * epochs, 4, 0.5)
        return schedules.ConstantWeight(kind)

    return make


def _with(cls, **hyperparameters):
    """Constructor of `cls` with hyperparameters; a dict value is looked up
    by data type ("text" / "images")."""

    def make(*args, data_type="text", **kwargs):
        fixed = {
            k: v[data_type] if isinstance(v, dict) else v
            for k, v in hyperparameters.items()
        }
        if cls is AggressiveVAE:
            fixed["data_type"] = data_type
        return cls(*args, **fixed, **kwargs)

    make.model_class = cls
    return make


#: method name -> (KL schedule factory, free bits, model constructor). The
#: annealing rows warm up over `warm_up_epochs` (10 in the papers; by default
#: half of the epochs).
METHODS = {
    "vae": (_schedule(1.0), None, _with(VAE)),
    "vae+anneal": (_schedule("anneal"), None, _with(VAE)),
    "cyclical": (_schedule("cyclical"), None, _with(VAE)),
    "beta-vae(0.2)": (_schedule(0.2), None, _with(VAE)),
    "free-bits(0.25)": (_schedule(1.0), schedules.FreeBits(0.25), _with(VAE)),
    "agg-vae": (_schedule(1.0), None, _with(AggressiveVAE)),
    "agg-vae+anneal": (_schedule("anneal"), None, _with(AggressiveVAE)),
    "bn-vae(0.6)": (_schedule(1.0), None, _with(BNVAE, gamma=0.6)),
    "du-vae": (
        _schedule("anneal0"),
        None,
        _with(DUVAE, gamma=0.5, p_drop={"text": 0.2, "images": 0.1}),
    ),
    "delta-vae(0.15)": (_schedule(1.0), None, _with(DeltaVAE, delta=0.15)),
    "scale-vae(1.0)": (_schedule(1.0), None, _with(ScaleVAE, des_std=1.0)),
}


def check_method(method):
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")


def make_model(
    method,
    encoder,
    decoder,
    likelihood,
    latent_dim,
    steps_per_epoch,
    epochs,
    data_type="text",
    warm_up_epochs=None,
    clip_norm=5.0,
    seed=0,
):
    """The (uncompiled) model of `method` around the given networks."""
    check_method(method)
    schedule, free_bits, make = METHODS[method]
    return make(
        encoder=encoder,
        decoder=decoder,
        likelihood=likelihood,
        latent_dim=latent_dim,
        kl_schedule=schedule(steps_per_epoch, epochs, warm_up_epochs),
        free_bits=free_bits,
        clip_norm=clip_norm,
        seed=seed,
        data_type=data_type,
    )
