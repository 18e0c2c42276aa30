"""Evaluates a trained model: IW-NLL, perplexity (text), KL, MI, AU and
optionally the aggregate-posterior KL; prints a table and writes JSON.

    python scripts/evaluate.py --model=outputs/run --num_samples=500 \
        --eval_examples=1000 --output=outputs/run/eval.json

--model is a `model.keras` file or a scripts/train.py output folder (whose
summary.json gives the dataset and preset).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "A model.keras file or a train.py output folder.")
flags.DEFINE_string("dataset", None, "Dataset (default: from the folder's summary).")
flags.DEFINE_string("data_dir", None, "Folder of the dataset's files.")
flags.DEFINE_string("split", "test", "Split to evaluate.")
flags.DEFINE_enum("preset", None, ["cpu", "paper"], "Preset (default: the summary's).")
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
flags.DEFINE_string("output", None, "Where to write the JSON (default: print only).")
flags.mark_flag_as_required("model")


def resolve(model_flag):
    """(model path, summary dict or {})."""
    if os.path.isdir(model_flag):
        path = os.path.join(model_flag, "model.keras")
        summary_path = os.path.join(model_flag, "summary.json")
        summary = {}
        if os.path.exists(summary_path):
            with open(summary_path) as f:
                summary = json.load(f)
        return path, summary
    return model_flag, {}


def main(argv):
    del argv
    import keras

    from keras_vae_collapse.datasets import BUILDERS, default_data_root
    from keras_vae_collapse.experiments import evaluation
    from keras_vae_collapse.presets import get_preset

    path, summary = resolve(FLAGS.model)
    if not os.path.exists(path):
        raise app.UsageError(f"--model: no model at {path}")
    dataset = FLAGS.dataset or summary.get("dataset")
    if dataset not in BUILDERS:
        raise app.UsageError(
            f"--dataset must be one of {', '.join(BUILDERS)} (got {dataset!r})"
        )
    preset = dict(get_preset(dataset, FLAGS.preset or summary.get("preset", "cpu")))
    if not FLAGS.preset and "config" in summary:
        preset.update(summary["config"])
    data_dir = FLAGS.data_dir
    if data_dir is None and dataset != "synthetic":
        root = default_data_root()
        if root is None:
            raise app.UsageError("--data_dir is required (or set KVC_DATA_DIR)")
        data_dir = os.path.join(root, dataset)
    model = keras.saving.load_model(path)
    data, info = evaluation.evaluation_batches(
        dataset,
        data_dir,
        FLAGS.split,
        preset,
        FLAGS.eval_examples,
        FLAGS.seed,
        FLAGS.cache_dir,
    )
    result = evaluation.evaluate(
        model, data, FLAGS.num_samples, FLAGS.seed, FLAGS.aggregate_kl, verbose=1
    )
    result.update(info, model=path, dataset=dataset)
    print(evaluation.format_result(result))
    if FLAGS.output:
        evaluation.write_json(result, FLAGS.output)
        print(f"written to {FLAGS.output}")


if __name__ == "__main__":
    app.run(main)
