import os

import keras
import numpy as np
import tensorflow as tf

from keras_vae_collapse.metrics.posterior_mean_space import (
    plot_posterior_mean_space,
    posterior_mean_space,
)


class PosteriorMeanSpace(keras.callbacks.Callback):
    """Records the posterior-mean space of He et al. 2019 during training.

    At the chosen training iterations (the model's step counter after the
    step: 0 is before training) computes, for a 1-D-latent model, the model
    posterior mean by quadrature and the approximate posterior mean of each
    point of `data` (500 points in the paper), and writes
    `posterior_mean_space_<step>.png` and `.npz` into `output_dir` and the
    picture to TensorBoard under `log_dir` (if given).

    Args:
        data: array of examples (e.g. 500 training points).
        iterations: iterations at which to record.
        output_dir: where the PNG / npz files go.
        log_dir: TensorBoard log directory (optional).
        grid: quadrature grid of z (default 481 points on [-6, 6]).
    """

    def __init__(self, data, iterations, output_dir, log_dir=None, grid=None):
        super().__init__()
        self.data = data
        self.iterations = sorted(int(i) for i in iterations)
        self.output_dir = output_dir
        self.log_dir = log_dir
        self.grid = grid
        self.records = []
        self._writer = None

    def record(self, step):
        model_means, approx_means = posterior_mean_space(
            self.model, self.data, self.grid
        )
        os.makedirs(self.output_dir, exist_ok=True)
        stem = os.path.join(self.output_dir, f"posterior_mean_space_{step:07d}")
        png = plot_posterior_mean_space(
            model_means, approx_means, stem + ".png", f"iteration {step}"
        )
        np.savez(stem + ".npz", model_means=model_means, approx_means=approx_means)
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            with self._writer.as_default():
                image = tf.image.decode_png(png, channels=4)[None]
                tf.summary.image("posterior_mean_space", image, step=step)
            self._writer.flush()
        self.records.append(
            {"step": step, "model_means": model_means, "approx_means": approx_means}
        )

    def _maybe_record(self):
        step = int(self.model.kl_step.numpy())
        if step in self.iterations and all(r["step"] != step for r in self.records):
            self.record(step)

    def on_train_begin(self, logs=None):
        self._maybe_record()

    def on_train_batch_end(self, batch, logs=None):
        self._maybe_record()
