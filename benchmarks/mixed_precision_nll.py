"""What `mixed_bfloat16` does to the validation NLL after a fixed short
training, and to the step time, against float32, in one run.

KVC_DATA_DIR=DATA .venv/bin/python benchmarks/mixed_precision_nll.py \
    --datasets=yelp_sentiment --steps=2000 --threads=2

For each dataset's cpu config, a plain VAE is trained for `--steps` steps in
each precision from the same seed on the same batches (the training stream
of epoch 0), then scored on a seeded subset of `--eval_batches` validation
batches: the negative ELBO per example (an upper bound on the NLL; the
issue's "validation NLL"), each model in its own precision. Printed: the
seconds per step of each training (after its first 10 steps), the two
negative ELBOs and their relative difference. A preset may default to
mixed_bfloat16 only where the difference is within 0.5% (issue 16) and the
step is faster.
"""

import os
import sys

from absl import flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _timing import StepClock  # noqa: E402

from keras_vae_collapse import training  # noqa: E402
from keras_vae_collapse.cli.common import data_dir_for, run_main, set_threads  # noqa: E402
from keras_vae_collapse.configs import get_config  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", ["yelp_sentiment"], "Text datasets (cpu configs).")
flags.DEFINE_list("precisions", ["float32", "mixed_bfloat16"], "Precisions.")
flags.DEFINE_integer("steps", 2000, "Training steps per precision.")
flags.DEFINE_integer("eval_batches", 100, "Validation batches scored (seeded).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, the batches, the subset.")
flags.DEFINE_string("cache_dir", None, "tfds folder for the prepared datasets.")
flags.DEFINE_integer("threads", 2, "CPU threads.")


def train_and_score(name, precision, steps, eval_batches, seed, cache_dir):
    """{"seconds_per_step", "neg_elbo", "examples"} of a VAE trained for
    `steps` steps in `precision`."""
    config = get_config(name, "cpu", precision=precision)
    data = training.load_data(name, data_dir_for(name, None), config, cache_dir, seed)
    model = training.build_model("vae", config, data, steps, seed)
    clock = StepClock(skip=min(10, steps - 1))
    model.fit(
        data["train_stream"](0, steps),
        steps_per_epoch=steps,
        epochs=1,
        verbose=0,
        shuffle=False,
        callbacks=[clock],
    )
    scores = training.evaluate_collapse(
        model, data["validation"], max_batches=eval_batches, seed=seed
    )
    return {
        "seconds_per_step": clock.seconds_per_step,
        "neg_elbo": scores["neg_elbo"],
        "examples": scores["examples"],
    }


def main(argv):
    del argv
    set_threads(FLAGS.threads)
    for name in FLAGS.datasets:
        results = {}
        for precision in FLAGS.precisions:
            results[precision] = train_and_score(
                name,
                precision,
                FLAGS.steps,
                FLAGS.eval_batches,
                FLAGS.seed,
                FLAGS.cache_dir,
            )
            r = results[precision]
            print(
                f"{name} {precision}: {FLAGS.steps} steps at "
                f"{r['seconds_per_step'] * 1e3:.1f} ms/step; validation "
                f"-ELBO {r['neg_elbo']:.3f} on {r['examples']} examples",
                flush=True,
            )
        base = results[FLAGS.precisions[0]]
        for precision in FLAGS.precisions[1:]:
            r = results[precision]
            change = 100 * (r["neg_elbo"] / base["neg_elbo"] - 1)
            speed = base["seconds_per_step"] / r["seconds_per_step"]
            print(
                f"{name} {precision} vs {FLAGS.precisions[0]}: -ELBO "
                f"{change:+.2f}%, step {speed:.2f}x as fast",
                flush=True,
            )


if __name__ == "__main__":
    run_main(main)
