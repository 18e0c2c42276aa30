"""Peak memory of text IW-NLL at paper size: a Yahoo-size text VAE (vocabulary
20,001, embeddings 512, LSTMs 1024, latent 32) evaluated with K = 500
importance samples on 20 documents, with the memory bound of
`VAE.log_prob_iw` (`max_decoded_elements`).

.venv/bin/python benchmarks/iw_nll_memory.py --documents=20 --length=80

Prints the peak resident memory of the process (ru_maxrss) before and after
the evaluation, the time, and the logits the unbounded computation would
hold at once (chunks of 100 samples x the batch), for comparison. The model's
weights are random: memory and time do not depend on them.
"""

import os
import resource
import sys
import time

import numpy as np
from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

FLAGS = flags.FLAGS
flags.DEFINE_integer("documents", 20, "Documents evaluated (one batch).")
flags.DEFINE_integer("length", 80, "Words per document (Yahoo: about 79).")
flags.DEFINE_integer("num_samples", 500, "Importance samples K.")
flags.DEFINE_integer("vocabulary", 20_001, "Vocabulary size (Yahoo).")


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv):
    del argv
    import keras_vae_collapse as kvc

    v, n = FLAGS.vocabulary, FLAGS.documents
    model = kvc.models.VAE(
        kvc.networks.TextLSTMEncoder(v, 32, 512, 1024),
        kvc.networks.TextLSTMDecoder(v, 32, 512, 1024, dropout=0.5),
        kvc.likelihoods.TokenCategorical(v),
        32,
    )
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            np.full((n, 1), 2),
            rng.integers(4, v, size=(n, FLAGS.length)),
            np.full((n, 1), 3),
        ],
        axis=1,
    ).astype(np.int32)
    model.encode(x[:2])  # builds the model
    before = peak_mib()
    start = time.perf_counter()
    log_px = model.log_prob_iw(x, num_samples=FLAGS.num_samples)
    seconds = time.perf_counter() - start
    logits = FLAGS.length + 1
    unbounded = min(100, FLAGS.num_samples) * n * logits * v * 4 / 2**20
    bounded = model.max_decoded_elements * 4 / 2**20
    print(
        f"{n} documents of {FLAGS.length} words, vocabulary {v}, K = "
        f"{FLAGS.num_samples}: {seconds:.0f} s, mean log p(x) {np.mean(log_px):.1f}"
    )
    print(f"peak RSS before evaluation: {before:,.0f} MiB")
    print(f"peak RSS after evaluation:  {peak_mib():,.0f} MiB")
    print(
        f"logits held at once: at most {bounded:,.0f} MiB with the bound; "
        f"{unbounded:,.0f} MiB for chunks of 100 samples x {n} documents without it"
    )


if __name__ == "__main__":
    app.run(main)
