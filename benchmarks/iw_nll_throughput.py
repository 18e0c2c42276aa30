"""IW-NLL evaluation throughput: batched against the reference's batch-1 loop.

KVC_DATA_DIR=DATA .venv/bin/python benchmarks/iw_nll_throughput.py --threads=2

Examples per second of the IW-NLL (`VAE.log_prob_iw`) with K = 500 for the
yelp_sentiment and Omniglot cpu-config models on their test split (a seeded
subset, batched by length as the evaluation pipeline does), for each
batch size and chunk size given, against one example at a time with chunks of
100 samples (He et al.'s `calc_iwnll`: test batches of 1, `ns=100`). The
weights are the zoo's `yelp_scale_vae` when `--zoo_text` names it, else a
freshly built model of the config (time does not depend on the weights).
Every setting stays within the memory bound of `VAE.log_prob_iw`
(`max_decoded_elements` decoder outputs at once); the chunk it actually used
is printed. One process, one thread setting: the ratios compare like with like.
"""

import os
import sys
import time

import numpy as np
from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", ["yelp_sentiment", "omniglot"], "cpu-config models.")
flags.DEFINE_list("batch_sizes", ["25", "50", "100"], "Batch sizes to time.")
flags.DEFINE_list("chunk_sizes", ["100", "250", "500"], "Samples decoded at once.")
flags.DEFINE_integer("num_samples", 500, "Importance samples K.")
flags.DEFINE_integer("examples", 200, "Test examples per batched setting.")
flags.DEFINE_integer("loop_examples", 20, "Test examples of the batch-1 loop.")
flags.DEFINE_integer("threads", 2, "CPU threads.")
flags.DEFINE_string("zoo_text", "yelp_scale_vae", "Zoo model for text ('' none).")
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")


def test_examples(dataset, model, count, seed=0):
    """A seeded subset of `count` test examples, one array each (text
    without its padding)."""
    from keras_vae_collapse import evaluation

    data, _ = evaluation.evaluation_batches(
        dataset,
        os.path.join(os.environ.get("KVC_DATA_DIR", ""), dataset),
        "test",
        batch_size=256,
        eval_examples=count,
        seed=seed,
        cache_dir=FLAGS.cache_dir,
        tokenizer=model.tokenizer,
    )
    examples = [row for batch in data for row in np.asarray(batch)]
    if examples[0].ndim == 1:  # token ids: cut the padding
        examples = [row[: int(np.count_nonzero(row))] for row in examples]
    return examples


def batches_of(examples, batch_size):
    """Batches of examples of similar length (sorted), padded in the batch,
    as the evaluation pipeline's length buckets are."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i]))
    out = []
    for start in range(0, len(order), batch_size):
        rows = [examples[i] for i in order[start : start + batch_size]]
        if rows[0].ndim == 1:
            width = max(len(r) for r in rows)
            rows = [np.pad(r, (0, width - len(r))) for r in rows]
        out.append(np.stack(rows))
    return out


def model_for(dataset):
    """The zoo text model, or a fresh model of the dataset's cpu config."""
    from keras_vae_collapse import training, zoo
    from keras_vae_collapse.configs import get_config

    if FLAGS.zoo_text and dataset == zoo.recipe(FLAGS.zoo_text)["dataset"]:
        return zoo.load(FLAGS.zoo_text), f"zoo {FLAGS.zoo_text}"
    config = get_config(dataset, "cpu")
    info = {"vocab_size": None, "modality": "images", "tokenizer": None}
    return training.build_model("vae", config, info, 100), "fresh cpu-config VAE"


def rate(model, examples, batch_size, chunk_size):
    """(examples per second, the largest chunk used) of the IW estimate."""
    batches = batches_of(examples, batch_size)
    model.log_prob_iw(batches[0], FLAGS.num_samples, chunk_size)  # compiles
    start = time.perf_counter()
    for b, x in enumerate(batches):
        model.log_prob_iw(x, FLAGS.num_samples, chunk_size, seed=b)
    seconds = time.perf_counter() - start
    per_example = max(model.likelihood.params_per_example(x) for x in batches)
    rows = model.max_decoded_elements // per_example
    used = min(chunk_size, max(1, rows // batch_size))
    return len(examples) / seconds, used


def main(argv):
    del argv
    from keras_vae_collapse.cli.common import set_threads

    set_threads(FLAGS.threads)
    print(f"threads {FLAGS.threads}; K = {FLAGS.num_samples}")
    for dataset in FLAGS.datasets:
        model, what = model_for(dataset)
        x = test_examples(dataset, model, FLAGS.examples)
        loop, _ = rate(model, x[: FLAGS.loop_examples], 1, 100)
        print(
            f"{dataset} ({what}): batch-1 loop, chunks of 100: {loop:.2f} "
            f"examples/s over {FLAGS.loop_examples} examples"
        )
        for batch in (int(b) for b in FLAGS.batch_sizes):
            for chunk in (int(c) for c in FLAGS.chunk_sizes):
                per_second, used = rate(model, x, batch, chunk)
                print(
                    f"  batch {batch:>4} chunk {chunk:>4} (used {used:>4}): "
                    f"{per_second:7.2f} examples/s  {per_second / loop:6.1f}x the loop"
                )


if __name__ == "__main__":
    app.run(main)
