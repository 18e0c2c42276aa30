"""kvc-publish from a checkout (flags: keras_vae_collapse/cli/publish.py)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from keras_vae_collapse.cli.publish import run  # noqa: E402

if __name__ == "__main__":
    run()
