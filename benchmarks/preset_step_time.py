"""Prints the measured training-step time of every dataset preset.

python benchmarks/preset_step_time.py --data_root=../shared/data --sizes=cpu
"""

import os
import sys

from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from keras_vae_collapse.experiments import step_time  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("data_root", "../shared/data", "Folder of the dataset folders.")
flags.DEFINE_list(
    "datasets", ["synthetic", "yahoo", "yelp_sentiment", "ptb", "omniglot"], "Datasets."
)
flags.DEFINE_list("sizes", ["cpu"], "Preset sizes: cpu, paper.")
flags.DEFINE_string("cache_dir", None, "tfds folder for the prepared datasets.")


def main(argv):
    del argv
    step_time.step_time_table(
        FLAGS.datasets, FLAGS.data_root, FLAGS.sizes, FLAGS.cache_dir
    )


if __name__ == "__main__":
    app.run(main)
