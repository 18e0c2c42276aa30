r"""kvc-evaluate: IW-NLL, perplexity (text), KL, MI, AU and optionally the
aggregate-posterior KL of a trained model; prints a table and writes JSON.

    kvc-evaluate --model=runs/yahoo_vae --num_samples=500 \
        --eval_examples=1000 --output=runs/yahoo_vae/eval.json

--model is a kvc-train output folder (whose summary.json gives the dataset
and batch size), a preset folder, a `.keras` file or a zoo model name. Text
is tokenised by the model's own tokenizer.
"""

import os

from absl import app, flags

from keras_vae_collapse.cli.common import (
    data_dir_for,
    load_model,
    run_main,
    set_threads,
)

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "model", None, "Train output folder, preset folder, .keras or zoo name."
)
flags.DEFINE_string("dataset", None, "Dataset (default: from the folder's summary).")
flags.DEFINE_string("data_dir", None, "Folder of the dataset's files.")
flags.DEFINE_string("split", "test", "Split to evaluate.")
flags.DEFINE_integer(
    "batch_size",
    None,
    "Batch size (default: the training config's, else 32).",
    lower_bound=1,
)
flags.DEFINE_integer(
    "num_samples", 500, "Importance samples of the IW-NLL.", lower_bound=1
)
flags.DEFINE_integer(
    "eval_examples",
    None,
    "Fixed, seeded random subset of the split (default: all).",
    lower_bound=1,
)
flags.DEFINE_boolean("aggregate_kl", False, "Also estimate KL(q(z) || p(z)).")
flags.DEFINE_integer("seed", 0, "Seed of the subset and of the samples.")
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")
flags.DEFINE_integer(
    "threads",
    0,
    "CPU threads of TensorFlow's ops (0: TensorFlow's default, all cores).",
    lower_bound=0,
)
flags.DEFINE_string("output", None, "Where to write the JSON (default: print only).")
flags.mark_flag_as_required("model")


def main(argv):
    del argv
    from keras_vae_collapse import evaluation

    set_threads(FLAGS.threads)

    if FLAGS.output:  # fail now, not after the whole evaluation
        folder = os.path.dirname(os.path.abspath(FLAGS.output))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise app.UsageError(
                f"--output: cannot create {folder}: {error}"
            ) from error
        if not os.access(folder, os.W_OK):
            raise app.UsageError(f"--output: {folder} is not writable")
    model, summary, _ = load_model(FLAGS.model)
    meta = getattr(model, "preset_metadata", {}) or {}
    dataset = FLAGS.dataset or summary.get("dataset") or meta.get("dataset")
    if dataset is None:
        raise app.UsageError("--dataset is required (the model does not name one)")
    data_dir = data_dir_for(dataset, FLAGS.data_dir)
    config = summary.get("config") or meta.get("config") or {}
    batch_size = FLAGS.batch_size or config.get("batch_size", 32)
    try:
        data, info = evaluation.evaluation_batches(
            dataset,
            data_dir,
            FLAGS.split,
            batch_size,
            FLAGS.eval_examples,
            FLAGS.seed,
            FLAGS.cache_dir,
            tokenizer=model.tokenizer,
        )
    except (ValueError, FileNotFoundError) as error:
        raise app.UsageError(str(error)) from error
    result = evaluation.evaluate(
        model, data, FLAGS.num_samples, FLAGS.seed, FLAGS.aggregate_kl, verbose=1
    )
    result.update(
        info,
        model=os.path.abspath(FLAGS.model)
        if os.path.exists(FLAGS.model)
        else FLAGS.model,
        dataset=dataset,
    )
    weights = meta.get("sha256", {}).get("model.weights.h5")
    if weights:  # which stored weights were scored (zoo.publish checks it)
        result["weights_sha256"] = weights
    print(evaluation.format_result(result))
    if FLAGS.output:
        evaluation.write_json(result, FLAGS.output)
        print(f"written to {FLAGS.output}")


def run():
    """Entry point of `kvc-evaluate`."""
    run_main(main)
