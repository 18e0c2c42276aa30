"""What the benchmarks share: a per-step clock inside `fit`."""

import time

import keras


class StepClock(keras.callbacks.Callback):
    """Seconds per training step of a `fit` call, after its first `skip`
    steps (tracing, and the shuffle buffer's first fill)."""

    def __init__(self, skip):
        super().__init__()
        self.skip = int(skip)
        self.start = None

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.skip:
            self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        steps = self.params["steps"] - self.skip
        self.seconds_per_step = (time.perf_counter() - self.start) / steps
