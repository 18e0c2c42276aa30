"""The Agg-VAE table: IW-NLL, KL, MI, AU, aggressive steps, training time and
its ratio to the VAE, per method and seed (`reproduce.reference_table`,
rows `AGG_ROWS`).

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

from absl import flags  # noqa: E402

from keras_vae_collapse.cli.common import run_main  # noqa: E402
from reproduce import reference_table  # noqa: E402

reference_table.define_flags(reference_table.AGG_ROWS, __name__)


def main(argv):
    del argv
    reference_table.main_from_flags(flags.FLAGS)


if __name__ == "__main__":
    run_main(main)
