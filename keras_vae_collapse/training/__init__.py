"""Training API: any registered method on any dataset from a config, with
epoch checkpoints and exact resumption."""

from keras_vae_collapse.training.epoch_checkpoint import EpochCheckpoint
from keras_vae_collapse.training.networks import ARCHITECTURES, build_networks
from keras_vae_collapse.training.run_folder import RunFolder, RunFolderError
from keras_vae_collapse.training.trainer import (
    OPTIMIZERS,
    build_model,
    count_batches,
    evaluate_collapse,
    load_data,
    make_optimizer,
    train,
)

__all__ = [
    "ARCHITECTURES",
    "OPTIMIZERS",
    "EpochCheckpoint",
    "RunFolder",
    "RunFolderError",
    "build_model",
    "build_networks",
    "count_batches",
    "evaluate_collapse",
    "load_data",
    "make_optimizer",
    "train",
]
