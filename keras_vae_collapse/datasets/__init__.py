"""Datasets: the synthetic corpus of He et al. 2019."""

from keras_vae_collapse.datasets.synthetic_he2019 import (
    generate_synthetic,
    synthetic_datasets,
    synthetic_splits,
    to_model_ids,
)

__all__ = [
    "generate_synthetic",
    "synthetic_datasets",
    "synthetic_splits",
    "to_model_ids",
]
