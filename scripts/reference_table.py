"""The main job's table at the reference schedule: every row of
`reproduce.reference_table.ROWS` (VAE, both Agg-VAE settings, the LSTM-LM's
exact NLL, SA-VAE with and without annealing, Skip-VAE, MAE) per seed, with
IW-NLL (K = 500, full test split), KL, both MIs, AU, training time and its
ratio to the same seed's VAE.

KVC_DATA_DIR=DATA .venv/bin/python scripts/reference_table.py \
    --output_dir=runs/reference_table --threads=1 --seeds=0

Resumable: run the same command again after an interruption (finished rows
are read back, unfinished runs resume from their last epoch). Times compare
only between rows run one at a time under the same load.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import flags  # noqa: E402

from keras_vae_collapse.cli.common import run_main  # noqa: E402
from reproduce import reference_table  # noqa: E402

reference_table.define_flags(reference_table.ROWS, __name__)


def main(argv):
    del argv
    reference_table.main_from_flags(flags.FLAGS)


if __name__ == "__main__":
    run_main(main)
