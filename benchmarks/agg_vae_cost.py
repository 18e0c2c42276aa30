"""The Agg-VAE table: IW-NLL, KL, MI, AU, aggressive steps, training time and
its ratio to the VAE, per method and seed (`reproduce.aggressive_cost`).

KVC_DATA_DIR=DATA .venv/bin/python benchmarks/agg_vae_cost.py \
    --output_dir=runs/agg_table --threads=1

Resumable: run the same command again after an interruption. Each run is a
full training under the dataset's schedule (about 10-30 minutes each at one
thread here), so the default 18 runs take hours; `--methods` and `--seeds`
select a part.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from keras_vae_collapse import evaluation  # noqa: E402
from keras_vae_collapse.cli.common import (  # noqa: E402
    data_dir_for,
    run_main,
    set_threads,
)
from reproduce import aggressive_cost  # noqa: E402

flags.DEFINE_list(
    "methods", list(aggressive_cost.ROWS), "Registry specs, one row each."
)
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of every row.")
flags.DEFINE_string(
    "data_dir", None, "The synthetic_he2019 folder (default: from KVC_DATA_DIR)."
)
flags.DEFINE_string("output_dir", None, "Folder of the runs and their rows.")
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")
flags.DEFINE_integer(
    "num_samples", 500, "Importance samples of the IW-NLL.", lower_bound=1
)
flags.DEFINE_integer(
    "threads", 1, "CPU threads of TensorFlow's ops (0: all cores).", lower_bound=0
)
flags.DEFINE_string("output", None, "Optional JSON of the rows.")
flags.mark_flag_as_required("output_dir")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    set_threads(FLAGS.threads)
    try:
        seeds = [int(s) for s in FLAGS.seeds]
    except ValueError as error:
        raise app.UsageError(f"--seeds must be integers: {FLAGS.seeds}") from error
    data_dir = data_dir_for(aggressive_cost.DATASET, FLAGS.data_dir)
    if data_dir is None or not os.path.isdir(data_dir):
        raise app.UsageError(
            f"no synthetic_he2019 folder ({data_dir!r}): give --data_dir or "
            "KVC_DATA_DIR"
        )
    rows = aggressive_cost.run_table(
        FLAGS.methods,
        seeds,
        data_dir=data_dir,
        output_dir=FLAGS.output_dir,
        num_samples=FLAGS.num_samples,
        cache_dir=FLAGS.cache_dir,
    )
    print(f"threads {FLAGS.threads}; IW-NLL K = {FLAGS.num_samples}, full test split")
    print(aggressive_cost.format_table(rows))
    if FLAGS.output:
        evaluation.write_json(rows, FLAGS.output)


if __name__ == "__main__":
    run_main(main)
