"""The short-Yelp representation table (Scale-VAE Table 4 protocol).

KVC_DATA_DIR=DATA .venv/bin/python scripts/short_yelp_table.py \
    --sources=tfidf,random-encoder,runs/yelp_scale_vae --output=probe.json

A source is a trained model (run folder, preset folder, .keras file or zoo
name) or one of the baselines `tfidf` and `random-encoder`
(`reproduce/short_yelp_table.py` says what they are). Each row's probe chooses
its L2 penalty on short-Yelp's validation split and is scored on its test split.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from keras_vae_collapse import evaluation  # noqa: E402
from keras_vae_collapse.cli.common import run_main, set_threads  # noqa: E402
from reproduce import short_yelp_table  # noqa: E402

flags.DEFINE_list(
    "sources", list(short_yelp_table.BASELINES), "Feature sources, one row each."
)
flags.DEFINE_string(
    "data_root",
    None,
    "Folder of yelp_sentiment/ and short_yelp/ (default: KVC_DATA_DIR).",
)
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")
flags.DEFINE_integer("seed", 0, "Seed of the probes (and of the random encoder).")
flags.DEFINE_integer("threads", 0, "CPU threads of TensorFlow's ops (0: all cores).")
flags.DEFINE_string("output", None, "Optional JSON of the rows.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    from keras_vae_collapse.datasets import default_data_root

    set_threads(FLAGS.threads)
    root = FLAGS.data_root or default_data_root()
    for needed in ("short_yelp", "yelp_sentiment"):
        if root is None or not os.path.isdir(os.path.join(root, needed)):
            raise app.UsageError(
                f"no {needed}/ under --data_root {root!r} (or set KVC_DATA_DIR)"
            )
    rows = [
        short_yelp_table.probe_row(s, root, FLAGS.cache_dir, FLAGS.seed)
        for s in FLAGS.sources
    ]
    print(short_yelp_table.format_table(rows))
    if FLAGS.output:
        evaluation.write_json(rows, FLAGS.output)


if __name__ == "__main__":
    run_main(main)
