"""The training step against a bare step, PyTorch and the FLOP floor, in one run.

.venv/bin/python benchmarks/step_time.py --threads=2
.venv/bin/python benchmarks/step_time.py --shapes=yelp_sentiment,synthetic --steps=50

For each shape (the cpu configs of Yahoo, yelp_sentiment and Omniglot, and the
main job's synthetic one) on fixed random batches of that shape:
- `fit`: the project's `model.fit` step of a plain VAE built as training
  builds it (`training.build_model`, the config's optimizer), without and
  with XLA (`compile(jit_compile=True)`), each also with
  `--steps_per_execution` steps per call (`fit spe`, `XLA spe`; default 25),
  and for text with the config's
  `precision="mixed_bfloat16"` (`fit bf16`);
- `bare`: the same networks' layers in one `tf.function` with nothing else:
  no dropout, masks, clipping, input checks or metrics (the text networks
  rebuilt from the same Keras layers without the padding mask; the image
  networks are the project's own layers), the same optimizer;
- `floor`: the step's counted FLOPs (forward matmuls and convolutions, times
  3 for the backward) over the matmul ceiling measured in this run (a
  2,048^3 `tf.matmul`, best of five), in fp32 and in bf16;
- `torch`: He et al.'s text VAE in PyTorch at the same sizes
  (`torch_text_vae.py`), when the optional extra is installed:
  `pip install -e '.[bench]'` (torch 2.13.0, CPU build). Text shapes only.

Then the ratios: fit / bare, fit / floor, fit bf16 / fp32 floor, torch / fit
(our speed-up; fit is the best of the four fit columns). Each
time is the best of two blocks of steps after warm-up steps; `--steps`
sets a block (default: about 3 seconds of steps). All shapes run in one
process with `--threads` threads, so the ratios compare like with like;
run it on a quiet machine.
"""

import os
import sys
import time

import numpy as np
from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

FLAGS = flags.FLAGS
#: name -> (config dataset, vocabulary, sequence length with <s> and </s>).
SHAPES = {
    "yahoo": ("yahoo", 20_001, 101),
    "yelp_sentiment": ("yelp_sentiment", 9_341, 16),
    "synthetic": ("synthetic_he2019", 1_004, 12),
    "omniglot": ("omniglot", None, None),
}
flags.DEFINE_list("shapes", list(SHAPES), f"Shapes: {', '.join(SHAPES)}.")
flags.DEFINE_integer("threads", 2, "CPU threads (TensorFlow and PyTorch).")
flags.DEFINE_integer("steps", None, "Steps per timed block (default: ~3 s).")
flags.DEFINE_boolean("torch", True, "Time the PyTorch reference if installed.")
flags.DEFINE_integer(
    "steps_per_execution",
    25,
    "Steps per call of the `fit spe` columns (config key steps_per_execution).",
    lower_bound=1,
)


def matmul_ceiling(dtype, size=2048, repeats=5):
    """Best FLOP/s of a size^3 matmul in `dtype` (tf.float32 / tf.bfloat16)."""
    import tensorflow as tf

    a = tf.cast(tf.random.normal([size, size]), dtype)
    b = tf.cast(tf.random.normal([size, size]), dtype)
    run = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.matmul(a, b), "float32")))
    run(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best


def text_flops(batch, length, vocab, embedding, hidden, latent):
    """Training FLOPs of one text VAE step: 3x the forward matmuls
    (encoder LSTM over `length` tokens, decoder LSTM with z at every input
    over length - 1, the vocabulary layer, the two latent projections)."""
    steps = length - 1
    forward = (
        2 * batch * length * 4 * hidden * (embedding + hidden)
        + 2 * batch * steps * 4 * hidden * (embedding + latent + hidden)
        + 2 * batch * steps * hidden * vocab
        + 2 * batch * hidden * 2 * latent
        + 2 * batch * latent * hidden
    )
    return 3 * forward


def graph_flops(function, *args):
    """Forward FLOPs of a loop-free `function(*args)` by TensorFlow's
    profiler (convolutions, matmuls), times 3 for the training step."""
    import tensorflow as tf

    graph = tf.function(function).get_concrete_function(*args).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    info = tf.compat.v1.profiler.profile(graph=graph, options=options)
    return 3 * info.total_float_ops


def fixed_batches(kind, batch, vocab=None, length=None, count=4, seed=0):
    """`count` fixed batches: token ids <s> w.. </s> of full length (no
    padding), or binary 28x28 images."""
    from keras_vae_collapse.likelihoods import BOS_ID, EOS_ID

    rng = np.random.default_rng(seed)
    if kind == "token_ids":
        x = rng.integers(4, vocab, size=(count, batch, length)).astype("int32")
        x[:, :, 0], x[:, :, -1] = BOS_ID, EOS_ID
        return x
    return (rng.random((count, batch, 28, 28, 1)) < 0.3).astype("float32")


def timed(step, batches, steps, warmup=3):
    """Best seconds per call of step(batch) over two blocks of `steps`."""
    for i in range(warmup):
        step(batches[i % len(batches)])
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        for i in range(steps):
            step(batches[i % len(batches)])
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def fit_seconds(model, batches, steps, warmup=3):
    """Seconds per step of `model.fit` over a repeated dataset of the batches
    (best of two fits of `steps`, after a fit of `warmup`)."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(batches).repeat()
    model.fit(ds, steps_per_epoch=warmup, epochs=1, verbose=0)
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def bare_text_step(vocab, embedding, hidden, latent, optimizer, jit=False):
    """The text VAE's step from plain Keras layers: embedding, LSTM, dense;
    no mask, dropout, clipping, checks or metrics."""
    import keras
    import tensorflow as tf

    layers = {
        "enc_embedding": keras.layers.Embedding(vocab, embedding),
        "enc_lstm": keras.layers.LSTM(hidden),
        "enc_head": keras.layers.Dense(2 * latent, use_bias=False),
        "dec_embedding": keras.layers.Embedding(vocab, embedding),
        "latent_to_cell": keras.layers.Dense(hidden, use_bias=False),
        "dec_lstm": keras.layers.LSTM(hidden, return_sequences=True),
        "dec_head": keras.layers.Dense(vocab, use_bias=False),
    }

    def loss(x):
        out = layers["enc_head"](layers["enc_lstm"](layers["enc_embedding"](x)))
        mu, logvar = out[:, :latent], out[:, latent:]
        z = mu + tf.exp(0.5 * logvar) * tf.random.normal(tf.shape(mu))
        words = layers["dec_embedding"](x[:, :-1])
        steps = tf.shape(words)[1]
        inputs = tf.concat([words, tf.tile(z[:, None], [1, steps, 1])], -1)
        c0 = layers["latent_to_cell"](z)
        h = layers["dec_lstm"](inputs, initial_state=[tf.tanh(c0), c0])
        logits = layers["dec_head"](h)
        rec = tf.reduce_sum(
            tf.nn.sparse_softmax_cross_entropy_with_logits(x[:, 1:], logits), -1
        )
        kl = 0.5 * tf.reduce_sum(mu**2 + tf.exp(logvar) - logvar - 1.0, -1)
        return tf.reduce_mean(rec + kl)

    def variables():
        return [v for layer in layers.values() for v in layer.trainable_variables]

    return _bare_step(loss, variables, optimizer, jit)


def bare_image_step(encoder, decoder, latent, optimizer, jit=False):
    """The image VAE's step from the project's own layers (ResNet encoder,
    PixelCNN decoder), Bernoulli loss and KL, nothing else."""
    import tensorflow as tf

    def loss(x):
        mu, logvar = encoder(x, training=True)
        z = mu + tf.exp(0.5 * logvar) * tf.random.normal(tf.shape(mu))
        logits = decoder(z, x, training=True)
        rec = tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(x, logits), axis=[1, 2, 3]
        )
        kl = 0.5 * tf.reduce_sum(mu**2 + tf.exp(logvar) - logvar - 1.0, -1)
        return tf.reduce_mean(rec + kl)

    def variables():
        return encoder.trainable_variables + decoder.trainable_variables

    return _bare_step(loss, variables, optimizer, jit), loss


def _bare_step(loss, variables, optimizer, jit):
    """A compiled SGD / Adam step on `loss`; the layers and the optimizer are
    built eagerly on the first batch."""
    import tensorflow as tf

    def step(x):
        with tf.GradientTape() as tape:
            value = loss(x)
        params = variables()
        optimizer.apply(tape.gradient(value, params), params)
        return value

    compiled = tf.function(step, jit_compile=jit)

    def run(x):
        x = tf.convert_to_tensor(x)
        if not optimizer.built:
            loss(x)  # builds the layers
            optimizer.build(variables())
        return compiled(x).numpy()

    return run


def measure(name, threads, steps, use_torch, ceilings, per_call=25):
    """The row of one shape: seconds per step of each variant, FLOPs."""
    import keras
    import tensorflow as tf

    from keras_vae_collapse import training
    from keras_vae_collapse.configs import get_config
    from keras_vae_collapse.training.networks import build_networks

    dataset, vocab, length = SHAPES[name]
    config = get_config(dataset, "cpu")
    batch = config["batch_size"]
    kind = "token_ids" if config["architecture"] == "text_lstm" else "images"
    batches = fixed_batches(kind, batch, vocab, length)
    info = {"vocab_size": vocab, "modality": kind, "tokenizer": None}
    row = {"shape": name, "batch": batch}

    def optimizer():
        return training.make_optimizer(config["optimizer"], config["learning_rate"])

    keras.utils.set_random_seed(0)
    model = training.build_model("vae", config, info, 100)
    quick = fit_seconds(model, batches, 2)
    n = steps or int(np.clip(3.0 / max(quick, 1e-4), 10, 400))
    n = -(-n // per_call) * per_call  # whole calls of `per_call` steps
    row["steps"] = n
    row["fit"] = fit_seconds(model, batches, n)
    for key, jit, spe in (
        ("fit_xla", True, 1),
        ("fit_spe", False, per_call),
        ("fit_xla_spe", True, per_call),
    ):
        keras.utils.set_random_seed(0)
        model = training.build_model("vae", config, info, 100)
        model.compile(optimizer=optimizer(), jit_compile=jit, steps_per_execution=spe)
        row[key] = fit_seconds(model, batches, n, warmup=per_call if spe > 1 else 3)
    if kind == "token_ids":
        keras.utils.set_random_seed(0)
        mixed = get_config(dataset, "cpu", precision="mixed_bfloat16")
        model = training.build_model("vae", mixed, info, 100)
        row["fit_bf16"] = fit_seconds(model, batches, n)
        sizes = (vocab, config["embedding_dim"], config["hidden_dim"])
        for key, jit in (("bare", False), ("bare_xla", True)):
            keras.utils.set_random_seed(0)
            step = bare_text_step(*sizes, config["latent_dim"], optimizer(), jit)
            row[key] = timed(step, batches, n)
        row["flops"] = text_flops(batch, length, *sizes, config["latent_dim"])
        if use_torch:
            from torch_text_vae import reference_step

            step = reference_step(*sizes, config["latent_dim"], threads=threads)
            row["torch"] = timed(step, batches, n)
    else:
        for key, jit in (("bare", False), ("bare_xla", True)):
            keras.utils.set_random_seed(0)
            encoder, decoder, _ = build_networks(config)
            step, loss = bare_image_step(
                encoder, decoder, config["latent_dim"], optimizer(), jit
            )
            row[key] = timed(step, batches, n)
        row["flops"] = graph_flops(loss, tf.TensorSpec(batches.shape[1:], tf.float32))
    for dtype, ceiling in ceilings.items():
        row[f"floor_{dtype}"] = row["flops"] / ceiling
    return row


def format_rows(rows, ceilings, use_torch):
    """The table: ms per step and the ratios."""
    head = (
        f"{'shape':<16}{'fit':>9}{'fit XLA':>9}{'fit spe':>9}{'XLA spe':>9}"
        f"{'fit bf16':>9}{'bare':>9}"
        f"{'bare XLA':>9}{'floor32':>9}{'floor16':>9}{'torch':>9}"
        f"{'fit/bare':>10}{'fit/floor32':>13}{'bf16/floor32':>14}{'torch/fit':>11}"
    )
    lines = [
        "matmul ceiling: "
        + ", ".join(f"{k} {v / 1e9:.0f} GFLOP/s" for k, v in ceilings.items()),
        "ms per training step (best of two blocks); fit = the best of fit, fit "
        "XLA and both with steps_per_execution (spe)",
        head,
        "-" * len(head),
    ]
    for r in rows:
        fit = min(r["fit"], r["fit_xla"], r["fit_spe"], r["fit_xla_spe"])
        torch = r.get("torch")
        bf16 = r.get("fit_bf16")
        cells = [r["fit"], r["fit_xla"], r["fit_spe"], r["fit_xla_spe"], bf16]
        cells += [r["bare"], r["bare_xla"]]
        cells += [r["floor_float32"], r["floor_bfloat16"], torch]
        text = "".join(f"{'-':>9}" if c is None else f"{1e3 * c:>9.1f}" for c in cells)
        bare = min(r["bare"], r["bare_xla"])
        text += f"{fit / bare:>10.2f}{fit / r['floor_float32']:>13.2f}"
        text += f"{bf16 / r['floor_float32']:>14.2f}" if bf16 else f"{'-':>14}"
        text += f"{torch / fit:>11.2f}" if torch else f"{'-':>11}"
        lines.append(f"{r['shape']:<16}" + text)
    if not use_torch:
        lines.append(
            "torch: not installed (pip install -e '.[bench]' for the PyTorch reference)"
        )
    return "\n".join(lines)


def main(argv):
    del argv
    unknown = [s for s in FLAGS.shapes if s not in SHAPES]
    if unknown:
        raise app.UsageError(f"unknown shapes {unknown}; known: {list(SHAPES)}")
    import tensorflow as tf
    from torch_text_vae import available

    from keras_vae_collapse.cli.common import set_threads

    set_threads(FLAGS.threads)
    use_torch = FLAGS.torch and available()
    ceilings = {
        "float32": matmul_ceiling(tf.float32),
        "bfloat16": matmul_ceiling(tf.bfloat16),
    }
    rows = []
    for name in FLAGS.shapes:
        print(f"[kvc] timing {name} ...", flush=True)
        rows.append(
            measure(
                name,
                FLAGS.threads,
                FLAGS.steps,
                use_torch,
                ceilings,
                FLAGS.steps_per_execution,
            )
        )
    print(f"threads {FLAGS.threads}")
    print(format_rows(rows, ceilings, use_torch))


if __name__ == "__main__":
    app.run(main)
