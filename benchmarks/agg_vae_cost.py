"""Cost of aggressive training: prints VAE vs Agg-VAE times and their ratio.

.venv/bin/python benchmarks/agg_vae_cost.py --epochs=10 --output=outputs/agg_cost.json
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

from reproduce import aggressive_cost  # noqa: E402

flags.DEFINE_integer("epochs", 10, "Epochs of each model.", lower_bound=1)
flags.DEFINE_integer("train_examples", 16_000, "Training sequences.", lower_bound=16)
flags.DEFINE_integer("size", 50, "Embedding and LSTM size.", lower_bound=1)
flags.DEFINE_integer("latent_dim", 2, "Latent dimension.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed.")
flags.DEFINE_boolean("xla", True, "XLA-compile the training steps of both models.")
flags.DEFINE_string("output", None, "Optional JSON output path.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    results = aggressive_cost.run_cost_benchmark(
        epochs=FLAGS.epochs,
        train_examples=FLAGS.train_examples,
        size=FLAGS.size,
        latent_dim=FLAGS.latent_dim,
        seed=FLAGS.seed,
        xla=FLAGS.xla,
    )
    print(f"config: {results['config']}")
    print(aggressive_cost.format_cost_table(results))
    if FLAGS.output:
        os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
        with open(FLAGS.output, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    app.run(main)
