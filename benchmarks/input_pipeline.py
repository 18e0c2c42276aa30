"""Is the training step waiting for `tf.data`? The input pipeline alone
against the step alone, measured in one run.

KVC_DATA_DIR=DATA .venv/bin/python benchmarks/input_pipeline.py --threads=2

For each dataset's cpu config, milliseconds per batch of:
- `pipeline`: the training stream alone (`load_data(...)["train_stream"]`,
  shuffled, length-bucketed, batched, as `train` feeds `fit`), iterated
  with nothing else running;
- `step`: a plain VAE's `fit` step on the same batches cached in memory
  (no input work);
- `fit`: the same model's `fit` on the live stream.
`fit / step` near 1 means the step does not wait for its input; `pipeline /
step` is the input's share of a step if it ran in series. Each is the best
of `--repeats` blocks of `--steps` batches after `--warmup` batches of the
same call (the shuffle buffer fills during the warm-up).
"""

import os
import sys
import time

from absl import flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _timing import StepClock  # noqa: E402

from keras_vae_collapse import training  # noqa: E402
from keras_vae_collapse.cli.common import data_dir_for, run_main, set_threads  # noqa: E402
from keras_vae_collapse.configs import get_config  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", ["yelp_sentiment", "yahoo", "omniglot"], "Datasets.")
flags.DEFINE_string("cache_dir", None, "tfds folder for the prepared datasets.")
flags.DEFINE_integer("warmup", 20, "Batches before timing.")
flags.DEFINE_integer("steps", 100, "Batches per timed block.")
flags.DEFINE_integer("repeats", 2, "Timed blocks; the best is kept.")
flags.DEFINE_integer("threads", 2, "CPU threads (intra- and inter-op).")


def pipeline_seconds(stream, warmup, steps):
    """Seconds per batch of iterating `stream` (after `warmup` batches)."""
    iterator = iter(stream)
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return (time.perf_counter() - start) / steps


def fit_seconds(model, batches, warmup, steps):
    """Seconds per `fit` step over `batches` (an endless dataset), after
    `warmup` steps of the same call."""
    clock = StepClock(warmup)
    model.fit(
        batches,
        steps_per_epoch=warmup + steps,
        epochs=1,
        verbose=0,
        shuffle=False,
        callbacks=[clock],
    )
    return clock.seconds_per_step


def measure(name, data_dir, cache_dir, warmup, steps, repeats):
    """{"pipeline", "step", "fit"}: best seconds per batch of each."""
    config = get_config(name, "cpu")
    data = training.load_data(name, data_dir, config, cache_dir)
    total = warmup + steps
    model = training.build_model("vae", config, data, total)
    best = {"pipeline": [], "step": [], "fit": []}
    for block in range(repeats):  # interleaved: each sees the same load
        stream = data["train_stream"](block, total)
        best["pipeline"].append(pipeline_seconds(stream, warmup, steps))
        # the same batches, in memory: read once before timing
        cached = data["train_stream"](block, total).take(total).cache()
        for _ in cached:
            pass
        best["step"].append(fit_seconds(model, cached.repeat(), warmup, steps))
        live = data["train_stream"](block, total)
        best["fit"].append(fit_seconds(model, live, warmup, steps))
    return {key: min(values) for key, values in best.items()}


def main(argv):
    del argv
    set_threads(FLAGS.threads)
    print(
        f"{'dataset':<16}{'pipeline':>10}{'step':>10}{'fit':>10}"
        f"{'fit/step':>10}{'pipe/step':>11}   (ms per batch)"
    )
    for name in FLAGS.datasets:
        t = measure(
            name,
            data_dir_for(name, None),
            FLAGS.cache_dir,
            FLAGS.warmup,
            FLAGS.steps,
            FLAGS.repeats,
        )
        print(
            f"{name:<16}{t['pipeline'] * 1e3:>10.1f}{t['step'] * 1e3:>10.1f}"
            f"{t['fit'] * 1e3:>10.1f}{t['fit'] / t['step']:>10.2f}"
            f"{t['pipeline'] / t['step']:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    run_main(main)
