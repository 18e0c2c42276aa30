"""Measures the training-step time of the dataset presets on real batches."""

import time

from keras_vae_collapse.experiments import training
from keras_vae_collapse.presets import get_preset


def step_time(dataset, size, data, method="vae", warmup=3, steps=20, seed=0):
    """Seconds per training step of `method` with a preset, measured over
    `steps` real training batches after `warmup` steps (compilation)."""
    preset = get_preset(dataset, size)
    model = training.build_model(
        method, dataset, preset, training.vocab_size_of(dataset, data), 100, seed
    )
    # Fixed real batches: the model's step, not the input pipeline's first pass.
    batches = data["train"].take(warmup + steps).cache().repeat()
    model.fit(batches, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / steps


def step_time_table(datasets, data_root, sizes=("cpu",), cache_dir=None, log=print):
    """Rows {dataset, size, seconds_per_step, steps_per_epoch, epoch_minutes}."""
    rows = []
    for name in datasets:
        data_dir = None if name == "synthetic" else f"{data_root}/{name}"
        for size in sizes:
            preset = get_preset(name, size)
            data = training.load_data(name, data_dir, preset, cache_dir)
            per_epoch = training.count_batches(data["train"])
            seconds = step_time(name, size, data)
            rows.append(
                {
                    "dataset": name,
                    "size": size,
                    "seconds_per_step": seconds,
                    "steps_per_epoch": per_epoch,
                    "epoch_minutes": seconds * per_epoch / 60,
                    "preset_epochs": preset["epochs"],
                }
            )
            r = rows[-1]
            log(
                f"{name:<16}{size:<7}{r['seconds_per_step']:>8.3f} s/step"
                f"{per_epoch:>7} steps/epoch{r['epoch_minutes']:>7.1f} min/epoch"
                f"{r['epoch_minutes'] * preset['epochs']:>8.0f} min for "
                f"{preset['epochs']} epochs"
            )
    return rows
