import keras
import numpy as np
from conftest import text_vae, token_data

import keras_vae_collapse as kvc


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(dict(logs))


def test_collapse_metrics_feed_later_callbacks(tmp_path):
    model = text_vae(seed=0)
    model.compile(keras.optimizers.Adam(1e-2))
    val = token_data(40, seed=9)
    metrics_cb = kvc.callbacks.CollapseMetrics(
        val, nll_every=2, num_samples=4, batch_size=16
    )
    recorder = Recorder()
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "best.keras"),
        monitor="val_mi_batch",
        mode="max",
        save_best_only=True,
    )
    history = model.fit(
        token_data(),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[metrics_cb, recorder, checkpoint],
    )
    assert {"val_mi_batch", "val_mi_dataset", "val_au", "val_kl"} <= set(
        recorder.seen[0]
    )
    assert "val_nll" not in recorder.seen[0]
    assert {"val_nll", "val_ppl"} <= set(recorder.seen[1])
    assert (
        "val_mi_batch" in history.history and len(history.history["val_mi_batch"]) == 2
    )
    assert (tmp_path / "best.keras").exists()
    # the callback's values are the metric functions' values on the same data
    mu, logvar = model.encode(val)
    assert recorder.seen[1]["val_kl"] == kvc.metrics.mean_kl(mu, logvar)
    assert recorder.seen[1]["val_au"] == kvc.metrics.active_units(mu)
    assert len(metrics_cb.history) == 2
    assert np.isfinite(recorder.seen[1]["val_nll"])
