"""Exports a model's encoder as a TensorFlow Serving SavedModel.

    python scripts/export.py --model=outputs/run --base_dir=serving \
        --model_name=yahoo_vae --version=1

--model is a scripts/train.py output folder (model.keras, vocabulary.txt,
summary.json), a model.keras file, or the name of a zoo model. The SavedModel
goes to <base_dir>/<model_name>/<version>/ with the signatures
`serving_default` (raw text or images) and, for text, `encode_ids`.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from absl import app, flags  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "Train output folder, model.keras or zoo name.")
flags.DEFINE_string("base_dir", "serving", "TensorFlow Serving model base folder.")
flags.DEFINE_string("model_name", None, "Served model name (default: from --model).")
flags.DEFINE_integer("version", 1, "Model version (a new folder).", lower_bound=1)
flags.DEFINE_integer(
    "max_length", None, "Words kept per text (default: the training preset's or 200)."
)
flags.mark_flag_as_required("model")


def load(spec):
    """(model, vocabulary or None, max_length or None, default name)."""
    import keras

    from keras_vae_collapse import zoo
    from keras_vae_collapse.datasets import Vocabulary

    if os.path.isdir(spec):
        path = os.path.join(spec, "model.keras")
        if not os.path.exists(path):
            raise app.UsageError(f"--model: {spec} has no model.keras")
        vocab_path = os.path.join(spec, "vocabulary.txt")
        vocab = Vocabulary.from_file(vocab_path) if os.path.exists(vocab_path) else None
        max_length = None
        summary = os.path.join(spec, "summary.json")
        if os.path.exists(summary):
            with open(summary) as f:
                max_length = json.load(f).get("config", {}).get("max_length")
        return (
            keras.saving.load_model(path),
            vocab,
            max_length,
            os.path.basename(os.path.normpath(spec)),
        )
    if spec.endswith(".keras"):
        if not os.path.exists(spec):
            raise app.UsageError(f"--model: no file {spec}")
        return keras.saving.load_model(spec), None, None, os.path.basename(spec)[:-6]
    try:
        model = zoo.load(spec)
    except zoo.ZooError as error:
        raise app.UsageError(str(error)) from error
    return model, model.vocabulary, model.max_text_length, spec


def main(argv):
    del argv
    from keras_vae_collapse.export import export_encoder

    model, vocab, max_length, name = load(FLAGS.model)
    try:
        version_dir = export_encoder(
            model,
            FLAGS.base_dir,
            FLAGS.model_name or name,
            FLAGS.version,
            vocabulary=vocab,
            max_length=FLAGS.max_length or max_length,
        )
    except FileExistsError as error:
        raise app.UsageError(str(error)) from error
    print(f"exported to {version_dir}")


if __name__ == "__main__":
    app.run(main)
