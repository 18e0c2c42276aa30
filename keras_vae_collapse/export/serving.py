"""The encoder of a VAE as a SavedModel that TensorFlow Serving can serve."""

import os

import keras
import tensorflow as tf


def export_encoder(model, base_dir, model_name, version=1, verbose=False):
    """Writes the encoder of `model` to `<base_dir>/<model_name>/<version>/`.

    Signatures (no sampling; outputs `z_mean` and `z_log_var`, float32 [B, n],
    exactly what `model.encode` returns, so Scale-VAE's factor and the
    batch-norm statistics are applied and stored inside):
      - text models with a tokenizer: `serving_default(text: string [B])`,
        tokenised inside by the model's own `TextTokenizer` (its vocabulary,
        rules and cut, so the features equal `model.encode(strings)`), and
        `encode_ids(ids: int32 [B, T])` (padded ids with <s> and </s>; ids
        outside the vocabulary are rejected, as by `encode`);
      - text models without a tokenizer: `serving_default` takes ids;
      - other models: `serving_default(images: float32 [B, ...])`.

    Only the variables the signatures read are saved (the encoder's and the
    posterior transform's: not the decoder's), each once: nothing else is
    tracked, so Keras keeps just the variables its endpoints use.

    Returns the version directory.
    """
    if not model.has_encoder:
        raise ValueError(
            f"{type(model).__name__} has no latent and no encoder to export"
        )
    version_dir = os.path.join(base_dir, model_name, str(int(version)))
    if os.path.exists(version_dir):
        raise FileExistsError(f"{version_dir} exists: pick a new version")
    archive = keras.export.ExportArchive()
    likelihood = model.likelihood

    def outputs(x):
        mu, logvar = model._encode_batch(likelihood.validate(x))
        return {"z_mean": tf.identity(mu), "z_log_var": tf.identity(logvar)}

    if getattr(likelihood, "vocab_size", None) is not None:
        ids_spec = tf.TensorSpec([None, None], tf.int32, name="ids")
        tokenizer = model.tokenizer
        if tokenizer is not None:
            archive.track(tokenizer)

            def serve_text(text):
                return outputs(tokenizer.dense(text))

            archive.add_endpoint(
                "serving_default",
                serve_text,
                input_signature=[tf.TensorSpec([None], tf.string, name="text")],
            )
            archive.add_endpoint("encode_ids", outputs, input_signature=[ids_spec])
        else:
            archive.add_endpoint("serving_default", outputs, input_signature=[ids_spec])
    else:
        shape = [None, *likelihood.example_shape()]
        archive.add_endpoint(
            "serving_default",
            outputs,
            input_signature=[tf.TensorSpec(shape, tf.float32, name="images")],
        )
    archive.write_out(version_dir, verbose=verbose)
    return version_dir
