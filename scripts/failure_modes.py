"""The failure-mode experiment: VAE, Agg-VAE, the posterior-transform methods
and LiBI on data with known generating processes, scored against exact
quadrature references.

    python scripts/failure_modes.py --seeds=0,1,2 --output=outputs/failure_modes.json
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from keras_vae_collapse.cli.common import define_spec_list  # noqa: E402
from keras_vae_collapse.datasets.failure_modes import FAILURE_MODES  # noqa: E402
from reproduce import failure_modes  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", list(FAILURE_MODES), "Failure-mode datasets.")
define_spec_list("methods", list(failure_modes.METHODS), "Methods.")
flags.DEFINE_list("seeds", ["0"], "Seeds (integers).")
flags.DEFINE_integer("epochs", 40, "Training epochs (50 steps each).", lower_bound=1)
flags.DEFINE_string("output", "outputs/failure_modes.json", "JSON of the rows.")
flags.DEFINE_string("picture_dir", "outputs/failure_modes", "Latent-space pictures.")


def main(argv):
    del argv
    for name, known in (
        ("datasets", FAILURE_MODES),
        ("methods", failure_modes.METHODS),
    ):
        unknown = [v for v in getattr(FLAGS, name) if v not in known]
        if unknown:
            raise app.UsageError(f"unknown {name} {unknown}; known: {', '.join(known)}")
    try:
        seeds = [int(s) for s in FLAGS.seeds]
    except ValueError as error:
        raise app.UsageError(f"--seeds must be integers: {error}") from error
    if FLAGS.output:
        os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
    failure_modes.run_table(
        FLAGS.datasets,
        FLAGS.methods,
        seeds,
        FLAGS.epochs,
        FLAGS.output,
        FLAGS.picture_dir,
    )


if __name__ == "__main__":
    app.run(main)
