"""Model and training presets per dataset: `paper` (reference sizes, for a
GPU) and `cpu` (sized to train to a useful point in about 90 minutes on 2 CPU
cores). Step times of the `cpu` presets were measured on that machine (2
cores, TF 2.21, `benchmarks/preset_step_time.py`).
"""

import copy

_TEXT_PAPER = {
    # He et al. 2019 / Zhu et al. 2020 text configuration (ALGORITHMS.md).
    "data_type": "text",
    "latent_dim": 32,
    "embedding_dim": 512,
    "hidden_dim": 1024,
    "dropout": 0.5,
    "batch_size": 32,
    "max_length": None,
    "optimizer": "sgd",
    "learning_rate": 1.0,
    "clip_norm": 5.0,
    "epochs": 100,
    "warm_up_epochs": 10,
}

PRESETS = {
    "yahoo": {
        "paper": dict(_TEXT_PAPER),
        # STEP_TIME yahoo
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            max_length=100,
            epochs=30,
            warm_up_epochs=5,
        ),
    },
    "yelp": {
        "paper": dict(_TEXT_PAPER),
        # STEP_TIME yelp
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            max_length=100,
            epochs=3,
            warm_up_epochs=1,
        ),
    },
    "yelp_sentiment": {
        "paper": dict(_TEXT_PAPER),
        # STEP_TIME yelp_sentiment
        "cpu": dict(
            _TEXT_PAPER,
            embedding_dim=128,
            hidden_dim=256,
            epochs=4,
            warm_up_epochs=1,
        ),
    },
    "ptb": {
        "paper": dict(_TEXT_PAPER),
        # STEP_TIME ptb
        "cpu": dict(_TEXT_PAPER, embedding_dim=128, hidden_dim=256, epochs=15),
    },
    "synthetic": {
        # He et al.'s synthetic configuration.
        "paper": dict(
            _TEXT_PAPER,
            latent_dim=2,
            embedding_dim=50,
            hidden_dim=50,
            batch_size=16,
            epochs=50,
        ),
        # STEP_TIME synthetic
        "cpu": dict(
            _TEXT_PAPER,
            latent_dim=2,
            embedding_dim=50,
            hidden_dim=50,
            batch_size=16,
            epochs=10,
            warm_up_epochs=5,
        ),
    },
    "omniglot": {
        # He et al. 2019 Omniglot configuration (ALGORITHMS.md).
        "paper": {
            "data_type": "images",
            "latent_dim": 32,
            "encoder_channels": 64,
            "encoder_blocks": 3,
            "encoder_hidden": 512,
            "decoder_channels": 64,
            "kernel_sizes": (7, 7, 7, 7, 5, 5, 5, 5, 3, 3, 3, 3),
            "first_kernel": 7,
            "latent_maps": 4,
            "batch_size": 50,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "clip_norm": 5.0,
            "epochs": 100,
            "warm_up_epochs": 10,
        },
        # STEP_TIME omniglot
        "cpu": {
            "data_type": "images",
            "latent_dim": 32,
            "encoder_channels": 64,
            "encoder_blocks": 3,
            "encoder_hidden": 512,
            "decoder_channels": 32,
            "kernel_sizes": (7, 5, 5, 3),
            "first_kernel": 7,
            "latent_maps": 4,
            "batch_size": 50,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "clip_norm": 5.0,
            "epochs": 40,
            "warm_up_epochs": 5,
        },
    },
}


def get_preset(dataset, size="cpu", **overrides):
    """A copy of the preset of `dataset` ("paper" or "cpu"), with overrides."""
    if dataset not in PRESETS:
        known = ", ".join(PRESETS)
        raise ValueError(f"no preset for dataset {dataset!r}; known: {known}")
    if size not in PRESETS[dataset]:
        raise ValueError(f"preset size must be 'paper' or 'cpu', got {size!r}")
    preset = copy.deepcopy(PRESETS[dataset][size])
    unknown = [k for k in overrides if k not in preset]
    if unknown:
        raise ValueError(f"unknown preset keys {unknown}; known: {sorted(preset)}")
    preset.update(overrides)
    return preset
