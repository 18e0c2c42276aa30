r"""Trains any registered method on any dataset: `kvc-train` from a checkout.

    python scripts/train.py --method=agg-vae --dataset=yahoo \
        --data_dir=DATA/yahoo --config=cpu --output_dir=runs/yahoo_agg_vae

See `keras_vae_collapse/cli/train.py` (or --help) for the flags.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from keras_vae_collapse.cli.train import run  # noqa: E402

if __name__ == "__main__":
    run()
