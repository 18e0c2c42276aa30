"""Trains any method on any dataset from a preset; reports loss, KL, MI, AU.

    python scripts/train.py --method=agg-vae --dataset=yahoo \
        --data_dir=../shared/data/yahoo --preset=cpu --output_dir=outputs/run

A smoke run: --epochs=1 --steps_per_epoch=300 --eval_batches=20. Checkpoints
after every epoch in --output_dir; after an interruption, the same command with
--resume continues where it stopped.
"""

import ast
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from keras_vae_collapse.datasets import BUILDERS, default_data_root  # noqa: E402
from keras_vae_collapse.experiments import training  # noqa: E402
from keras_vae_collapse.experiments.methods import METHODS  # noqa: E402
from keras_vae_collapse.presets import get_preset  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_enum("method", "vae", list(METHODS), "Method to train.")
flags.DEFINE_enum("dataset", "synthetic", list(BUILDERS), "Dataset to train on.")
flags.DEFINE_string(
    "data_dir",
    None,
    "Folder of the dataset's files (default: $KVC_DATA_DIR/<dataset> or "
    "../shared/data/<dataset>; not needed for synthetic).",
)
flags.DEFINE_enum("preset", "cpu", ["cpu", "paper"], "Model and training preset.")
flags.DEFINE_list(
    "set",
    [],
    "Preset overrides as key=value (e.g. hidden_dim=64,max_length=50); values "
    "are Python literals.",
)
flags.DEFINE_integer("epochs", None, "Epochs (default: the preset's).", lower_bound=1)
flags.DEFINE_integer(
    "steps_per_epoch", None, "Cap on the steps of an epoch (smoke runs).", lower_bound=1
)
flags.DEFINE_integer(
    "eval_batches",
    None,
    "Evaluate KL / MI / AU on this many test batches (default: all).",
    lower_bound=1,
)
flags.DEFINE_string("output_dir", None, "Where model.keras and summary.json go.")
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")
flags.DEFINE_integer("seed", 0, "Seed of initialisation, shuffling and sampling.")
flags.DEFINE_boolean(
    "resume",
    False,
    "Continue from --output_dir's last epoch checkpoint (weights, optimizers, "
    "KL step, method state); the result equals an uninterrupted run.",
)
flags.DEFINE_boolean(
    "tensorboard", True, "Write TensorBoard logs to <output_dir>/logs."
)
flags.DEFINE_integer(
    "verbose", 1, "Keras verbosity: 1 progress bar, 2 one line per epoch."
)


def data_dir_for(dataset, data_dir):
    if data_dir or dataset == "synthetic":
        return data_dir
    root = default_data_root()
    if root is None:
        raise app.UsageError(
            f"--data_dir is required for {dataset} (or set KVC_DATA_DIR)"
        )
    return os.path.join(root, dataset)


def parse_overrides(items):
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise app.UsageError(f"--set expects key=value, got {item!r}")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return overrides


def main(argv):
    del argv
    if FLAGS.resume and not FLAGS.output_dir:
        raise app.UsageError("--resume needs --output_dir (where the checkpoints are)")
    overrides = parse_overrides(FLAGS.set)
    try:
        get_preset(FLAGS.dataset, FLAGS.preset, **overrides)
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    data_dir = data_dir_for(FLAGS.dataset, FLAGS.data_dir)
    if data_dir is not None and not os.path.isdir(data_dir):
        raise app.UsageError(f"--data_dir {data_dir!r} is not a directory")
    training.train(
        FLAGS.method,
        FLAGS.dataset,
        data_dir,
        size=FLAGS.preset,
        output_dir=FLAGS.output_dir,
        epochs=FLAGS.epochs,
        steps_per_epoch=FLAGS.steps_per_epoch,
        cache_dir=FLAGS.cache_dir,
        eval_batches=FLAGS.eval_batches,
        seed=FLAGS.seed,
        resume=FLAGS.resume,
        tensorboard=FLAGS.tensorboard,
        verbose=FLAGS.verbose,
        **overrides,
    )


if __name__ == "__main__":
    app.run(main)
