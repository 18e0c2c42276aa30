"""Trains every method on the synthetic data of He et al. 2019; prints the table.

./run_demo.sh --epochs=5 --seeds=0,1 --output=outputs/synthetic_table.json
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from keras_vae_collapse.cli.common import define_spec_list  # noqa: E402
from reproduce import synthetic_table  # noqa: E402

FLAGS = flags.FLAGS
define_spec_list(
    "methods", list(synthetic_table.METHODS), "Methods to train (comma-separated)."
)
flags.DEFINE_integer("epochs", 5, "Training epochs per method.", lower_bound=1)
flags.DEFINE_list("seeds", ["0"], "Seeds (comma-separated integers).")
flags.DEFINE_integer(
    "iw_samples", 100, "Importance samples of the IW-NLL.", lower_bound=1
)
flags.DEFINE_integer(
    "eval_examples",
    None,
    "Seeded random subset of the 2,000 test sequences (default: all).",
)
flags.DEFINE_enum(
    "optimizer",
    None,
    ["sgd", "adam"],
    "SGD (lr 1.0, He et al.) or Adam (lr 1e-3) for every method; gradients "
    "clipped at norm 5 (default: each method's own, SGD except Scale-VAE's Adam).",
)
flags.DEFINE_float(
    "learning_rate", None, "Learning rate (default: 1.0 for SGD, 1e-3 for Adam)."
)
flags.DEFINE_integer(
    "train_examples",
    4000,
    "Training sequences (the paper's split has 16,000).",
    lower_bound=16,
)
flags.DEFINE_integer(
    "latent_dim", 2, "Latent dimension (1 for the diagnostic).", lower_bound=1
)
flags.DEFINE_boolean("xla", True, "XLA-compile the training steps.")
flags.DEFINE_string(
    "posterior_mean_space_dir",
    None,
    "With --latent_dim=1: write posterior-mean-space pictures here.",
)
flags.DEFINE_string(
    "output", "outputs/synthetic_table.json", "Where to write the table as JSON."
)


def main(argv):
    del argv
    unknown = [m for m in FLAGS.methods if m not in synthetic_table.METHODS]
    if unknown:
        raise app.UsageError(
            f"unknown method(s) {', '.join(unknown)}; known: "
            f"{', '.join(synthetic_table.METHODS)}"
        )
    try:
        seeds = [int(s) for s in FLAGS.seeds]
    except ValueError:
        raise app.UsageError(f"--seeds must be integers, got {FLAGS.seeds}") from None
    if FLAGS.output:
        os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
    synthetic_table.run_table(
        methods=FLAGS.methods,
        epochs=FLAGS.epochs,
        seeds=seeds,
        output=FLAGS.output,
        iw_samples=FLAGS.iw_samples,
        eval_examples=FLAGS.eval_examples,
        learning_rate=FLAGS.learning_rate,
        optimizer=FLAGS.optimizer,
        latent_dim=FLAGS.latent_dim,
        xla=FLAGS.xla,
        train_examples=FLAGS.train_examples,
        posterior_mean_space_dir=FLAGS.posterior_mean_space_dir,
    )
    if FLAGS.output:
        print(f"[kvc] table written to {FLAGS.output}")


if __name__ == "__main__":
    app.run(main)
