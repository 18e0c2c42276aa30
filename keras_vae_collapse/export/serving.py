"""The encoder of a VAE as a SavedModel that TensorFlow Serving can serve."""

import os

import keras
import tensorflow as tf

from keras_vae_collapse.datasets.text_pipeline import tokenize
from keras_vae_collapse.likelihoods import TokenCategorical
from keras_vae_collapse.likelihoods.token_categorical import PAD_ID

#: Words kept per text by the raw-text signature when none is given.
DEFAULT_MAX_LENGTH = 200


def export_encoder(
    model,
    base_dir,
    model_name,
    version=1,
    vocabulary=None,
    max_length=None,
    verbose=False,
):
    """Writes the encoder of `model` to `<base_dir>/<model_name>/<version>/`.

    Signatures (no sampling; outputs `z_mean` and `z_log_var`, float32 [B, n],
    exactly what `model.encode` returns, so Scale-VAE's factor and the
    batch-norm statistics are applied and stored inside):
      - text models with a vocabulary: `serving_default(text: string [B])`,
        whitespace-tokenised with the vocabulary (stored inside; unknown words
        -> <unk>, at most `max_length` words, empty strings allowed), and
        `encode_ids(ids: int32 [B, T])` (padded ids with <s> and </s>);
      - text models without a vocabulary: `serving_default` takes ids;
      - image models: `serving_default(images: float32 [B, H, W, C])`.

    Returns the version directory.
    """
    version_dir = os.path.join(base_dir, model_name, str(int(version)))
    if os.path.exists(version_dir):
        raise FileExistsError(f"{version_dir} exists: pick a new version")
    archive = keras.export.ExportArchive()
    archive.track(model)

    def outputs(x):
        mu, logvar = model._encode_batch(x)
        return {"z_mean": tf.identity(mu), "z_log_var": tf.identity(logvar)}

    if isinstance(model.likelihood, TokenCategorical):
        ids_spec = tf.TensorSpec([None, None], tf.int32, name="ids")
        if vocabulary is not None:
            lookup = vocabulary.lookup_layer()
            lookup(tf.constant(["<s>"]))  # builds the table before tracking
            archive.track(lookup)
            limit = int(max_length or DEFAULT_MAX_LENGTH)

            def serve_text(text):
                ids = tokenize(text, lookup, limit).to_tensor(PAD_ID)
                return outputs(ids)

            archive.add_endpoint(
                "serving_default",
                serve_text,
                input_signature=[tf.TensorSpec([None], tf.string, name="text")],
            )
            archive.add_endpoint("encode_ids", outputs, input_signature=[ids_spec])
        else:
            archive.add_endpoint("serving_default", outputs, input_signature=[ids_spec])
    else:
        shape = [None, *model.likelihood.example_shape()]
        archive.add_endpoint(
            "serving_default",
            outputs,
            input_signature=[tf.TensorSpec(shape, tf.float32, name="images")],
        )
    archive.write_out(version_dir, verbose=verbose)
    return version_dir
