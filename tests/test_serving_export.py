"""The TF Serving export: loads in a fresh process without the package, its
signatures match `model.encode`, odd strings are handled, dtypes checked."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import keras_vae_collapse as kvc

TEXTS = ["the food was great .", "bad service", "ok then the food is good"]
ODD = [
    "",
    "zzz qqq unknown",
    "the\u00a0food\u3000was\u2009great",  # Unicode spaces
    "The FOOD Was GREAT!",  # case and punctuation: the tokenizer's rules
    "the food, great. ok?",
    "\t the  food \n",
    "the food " * 500,  # 1,000 words, cut at the tokenizer's 50
]
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FRESH = """
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
assert "keras_vae_collapse" not in sys.modules
out = {"signatures": sorted(model.signatures)}
serve = model.signatures["serving_default"]
inputs = json.loads(sys.argv[2])
if inputs["kind"] == "text":
    r = serve(text=tf.constant(inputs["texts"]))
    ids = model.signatures["encode_ids"](ids=tf.constant(inputs["ids"], tf.int32))
    out["ids_mean"] = ids["z_mean"].numpy().tolist()
    try:
        model.signatures["encode_ids"](ids=tf.constant([[2, -4, 3]], tf.int32))
        out["bad_ids"] = "accepted"
    except (ValueError, tf.errors.InvalidArgumentError) as error:
        out["bad_ids"] = str(error)
    try:
        serve(text=tf.constant([1.0, 2.0]))
        out["wrong_dtype"] = "accepted"
    except (TypeError, ValueError, tf.errors.InvalidArgumentError) as error:
        out["wrong_dtype"] = type(error).__name__
else:
    r = serve(images=tf.constant(np.array(inputs["images"], np.float32)))
out["z_mean"] = r["z_mean"].numpy().tolist()
out["z_log_var"] = r["z_log_var"].numpy().tolist()
print(json.dumps(out))
"""


def fresh_process(path, inputs):
    done = subprocess.run(
        [sys.executable, "-c", FRESH, path, json.dumps(inputs)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",  # the package is not importable from here
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def trained_text_model():
    vocab = kvc.datasets.Vocabulary.build(TEXTS)
    v = len(vocab)
    model = kvc.models.ScaleVAE(
        kvc.networks.TextLSTMEncoder(v, 2, 8, 8),
        kvc.networks.TextLSTMDecoder(v, 2, 8, 8),
        kvc.likelihoods.TokenCategorical(v),
        2,
    )
    model.set_vocabulary(vocab, max_length=50)
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    model.fit(model.tokenizer.dense(TEXTS * 8), batch_size=8, epochs=2, verbose=0)
    return model, vocab


def test_text_export_matches_encode_in_a_fresh_process(tmp_path):
    model, vocab = trained_text_model()
    assert float(model.scale.current_factor().numpy().min()) != 1.0  # has state
    path = kvc.export.export_encoder(model, str(tmp_path), "text_vae", 3)
    assert path == os.path.join(str(tmp_path), "text_vae", "3")
    ids = vocab.encode_batch(TEXTS)
    out = fresh_process(
        path, {"kind": "text", "texts": TEXTS + ODD, "ids": ids.tolist()}
    )
    assert out["signatures"] == ["encode_ids", "serving_default"]
    mu, logvar = model.encode(TEXTS + ODD)
    np.testing.assert_allclose(out["z_mean"], mu, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["z_log_var"], logvar, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        out["ids_mean"], model.encode(ids)[0], rtol=1e-5, atol=1e-5
    )
    assert np.isfinite(out["z_mean"]).all()
    # The very long text is cut at 50 words: same as its first 50 words.
    np.testing.assert_allclose(
        out["z_mean"][-1],
        model.encode([" ".join(ODD[-1].split()[:50])])[0][0],
        atol=1e-5,
    )
    assert out["wrong_dtype"] != "accepted"
    assert "token ids must be >= 0" in out["bad_ids"]  # as encode rejects them
    shown = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "saved_model_cli"),
            "show",
            "--dir",
            path,
            "--all",
        ],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    for text in (
        "signature_def['serving_default']",
        "signature_def['encode_ids']",
        "inputs['text']",
        "outputs['z_mean']",
        "outputs['z_log_var']",
    ):
        assert text in shown.stdout


def test_image_export_keeps_batch_norm_statistics(tmp_path):
    model = kvc.models.BNVAE(
        kvc.networks.ResNetEncoder(3, channels=4, hidden_dim=8),
        kvc.networks.PixelCNNDecoder(3, channels=4, kernel_sizes=(3,), first_kernel=3),
        kvc.likelihoods.Bernoulli((28, 28, 1)),
        3,
        gamma=0.6,
    )
    x = (np.random.default_rng(0).random((16, 28, 28, 1)) < 0.2).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(x, batch_size=8, epochs=2, verbose=0)
    path = kvc.export.export_encoder(model, str(tmp_path), "omniglot_bn")
    out = fresh_process(path, {"kind": "images", "images": x[:5].tolist()})
    assert out["signatures"] == ["serving_default"]
    mu, logvar = model.encode(x[:5])
    np.testing.assert_allclose(out["z_mean"], mu, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["z_log_var"], logvar, rtol=1e-5, atol=1e-5)


def test_export_script_and_existing_version(tmp_path):
    model, vocab = trained_text_model()
    run = tmp_path / "run"
    run.mkdir()
    model.save_to_preset(str(run / "model"))  # a kvc-train output folder
    args = [
        sys.executable,
        os.path.join(ROOT, "scripts", "export.py"),
        f"--model={run}",
        f"--base_dir={tmp_path / 'serving'}",
    ]
    done = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert os.path.exists(tmp_path / "serving" / "run" / "1" / "saved_model.pb")
    again = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0 and "pick a new version" in again.stderr
    assert "Traceback" not in again.stderr


def test_the_export_holds_the_encoder_not_the_decoder(tmp_path):
    model, _ = trained_text_model()
    path = kvc.export.export_encoder(model, str(tmp_path), "text_vae")
    saved = tf.train.list_variables(os.path.join(path, "variables", "variables"))
    sizes = [int(np.prod(s)) for name, s in saved if "VARIABLE_VALUE" in name]

    def size(layer):
        return sum(int(np.prod(v.shape)) for v in layer.weights)

    # every encoder weight, once, plus what encode reads of Scale-VAE's factor
    # state (the factor and its epoch statistics): no decoder weight
    assert size(model.encoder) <= sum(sizes) <= size(model.encoder) + size(model.scale)
    assert len(sizes) <= len(model.encoder.weights) + len(model.scale.weights)
    assert size(model.decoder) > sum(sizes)
