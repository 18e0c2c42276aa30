"""Prints the measured training-step time of every dataset config.

.venv/bin/python benchmarks/config_step_time.py --data_root=../shared/data --sizes=cpu
.venv/bin/python benchmarks/config_step_time.py --datasets=yelp_sentiment \
    --precisions=float32,mixed_bfloat16

Plain VAE training step on fixed real batches (the model's step, not the
input pipeline's first pass), after 3 warm-up steps. With several
`--precisions` (the config key `precision`) they are timed in turn, twice,
in one run, and the ratio to the first is printed.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from keras_vae_collapse import datasets, training  # noqa: E402
from keras_vae_collapse.configs import get_config  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("data_root", None, "Folder of the dataset folders.")
flags.DEFINE_list(
    "datasets", ["synthetic", "yahoo", "yelp_sentiment", "ptb", "omniglot"], "Datasets."
)
flags.DEFINE_list("sizes", ["cpu"], "Config sizes: cpu, paper.")
flags.DEFINE_string("cache_dir", None, "tfds folder for the prepared datasets.")
flags.DEFINE_list(
    "precisions", ["float32"], "Config precisions: float32, mixed_bfloat16."
)


def step_time(config, data, method="vae", warmup=3, steps=20, seed=0):
    """Seconds per training step of `method` with a config, measured over
    `steps` real training batches after `warmup` steps (compilation)."""
    model = training.build_model(method, config, data, 100, seed)
    batches = data["train"].take(warmup + steps).cache().repeat()
    model.fit(batches, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / steps


def main(argv):
    del argv
    root = FLAGS.data_root or datasets.default_data_root()
    for name in FLAGS.datasets:
        needs_files = datasets.BUILDERS[name].NEEDS_FILES
        data_dir = os.path.join(root, name) if needs_files else None
        for size in FLAGS.sizes:
            base = get_config(name, size)
            data = training.load_data(name, data_dir, base, FLAGS.cache_dir)
            per_epoch = training.count_batches(data["train"])
            times = {p: [] for p in FLAGS.precisions}
            for _ in range(2 if len(FLAGS.precisions) > 1 else 1):
                for precision in FLAGS.precisions:  # interleaved: same load
                    config = get_config(name, size, precision=precision)
                    times[precision].append(step_time(config, data))
            first = min(times[FLAGS.precisions[0]])
            for precision, measured in times.items():
                seconds = min(measured)
                minutes = seconds * per_epoch / 60
                print(
                    f"{name:<16}{size:<7}{precision:<16}{seconds:>8.3f} s/step"
                    f"{first / seconds:>6.2f}x{per_epoch:>7} steps/epoch"
                    f"{minutes:>7.1f} min/epoch{minutes * base['epochs']:>8.0f} min "
                    f"for {base['epochs']} epochs"
                )


if __name__ == "__main__":
    app.run(main)
