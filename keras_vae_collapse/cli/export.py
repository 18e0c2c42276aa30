r"""kvc-export: a model's encoder as a TensorFlow Serving SavedModel.

    kvc-export --model=runs/yahoo_vae --base_dir=serving \
        --model_name=yahoo_vae --version=1

--model is a kvc-train output folder, a preset folder, a `.keras` file or a
zoo model name. The SavedModel goes to <base_dir>/<model_name>/<version>/
with the signatures `serving_default` (raw text or images) and, for text,
`encode_ids`; text is tokenised inside by the model's own tokenizer.
"""

from absl import app, flags

from keras_vae_collapse.cli.common import load_model, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "model", None, "Train output folder, preset folder, .keras or zoo name."
)
flags.DEFINE_string("base_dir", "serving", "TensorFlow Serving model base folder.")
flags.DEFINE_string("model_name", None, "Served model name (default: from --model).")
flags.DEFINE_integer("version", 1, "Model version (a new folder).", lower_bound=1)
flags.mark_flag_as_required("model")


def main(argv):
    del argv
    from keras_vae_collapse.export import export_encoder

    model, _, name = load_model(FLAGS.model)
    try:
        version_dir = export_encoder(
            model, FLAGS.base_dir, FLAGS.model_name or name, FLAGS.version
        )
    except FileExistsError as error:
        raise app.UsageError(str(error)) from error
    print(f"exported to {version_dir}")


def run():
    """Entry point of `kvc-export`."""
    run_main(main)
