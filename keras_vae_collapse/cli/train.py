r"""kvc-train: trains any registered method on any dataset from a config.

    kvc-train --method=agg-vae --dataset=yahoo --data_dir=DATA/yahoo \
        --config=cpu --output_dir=runs/yahoo_agg_vae

Method hyperparameters and config keys are both set with --set
(`--method=bn-vae --set=gamma=0.7,hidden_dim=64`) or in the method string
(`--method='bn-vae(gamma=0.7)'`). A smoke run: --epochs=1
--steps_per_epoch=300 --eval_batches=20. Checkpoints after every epoch in
--output_dir; after an interruption, the same command with --resume
continues where it stopped.
"""

import ast
import os

from absl import app, flags

from keras_vae_collapse.cli.common import (
    data_dir_for,
    define_spec_list,
    run_main,
    set_threads,
)

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "method",
    "vae",
    "Method: a registry name with optional hyperparameters, e.g. vae, agg-vae, "
    "'bn-vae(gamma=0.7)', vae+anneal, libi (see keras_vae_collapse.models.METHODS).",
)
flags.DEFINE_string("dataset", "synthetic", "Dataset to train on.")
flags.DEFINE_string(
    "data_dir",
    None,
    "Folder of the dataset's files (default: $KVC_DATA_DIR/<dataset>; not "
    "needed for synthetic).",
)
flags.DEFINE_enum("config", "cpu", ["cpu", "paper"], "Network and training config.")
define_spec_list(
    "set",
    [],
    "Method hyperparameters and config overrides as key=value (e.g. "
    "gamma=0.7,hidden_dim=64,schedule.patience=5); values are Python literals; "
    "a dotted key sets one field of a config dict.",
)
flags.DEFINE_integer("epochs", None, "Epochs (default: the config's).", lower_bound=1)
flags.DEFINE_integer(
    "steps_per_epoch", None, "Cap on the steps of an epoch (smoke runs).", lower_bound=1
)
flags.DEFINE_integer(
    "eval_batches",
    None,
    "Evaluate KL / MI / AU on this many test batches (default: all).",
    lower_bound=1,
)
flags.DEFINE_string(
    "output_dir",
    None,
    "Run folder: checkpoints (for --resume), logs/, the final model (a preset "
    "folder model/) and summary.json.",
)
flags.DEFINE_string("cache_dir", None, "tfds folder of the prepared datasets.")
flags.DEFINE_integer("seed", 0, "Seed of initialisation, shuffling and sampling.")
flags.DEFINE_boolean(
    "resume",
    False,
    "Continue from --output_dir's last epoch checkpoint (weights, optimizers, "
    "KL step, method state); the result equals an uninterrupted run.",
)
flags.DEFINE_boolean(
    "overwrite",
    False,
    "Replace a non-empty --output_dir (a new run refuses one otherwise).",
)
flags.DEFINE_boolean(
    "tensorboard", True, "Write TensorBoard logs to <output_dir>/logs."
)
flags.DEFINE_integer(
    "verbose", 1, "Keras verbosity: 1 progress bar, 2 one line per epoch."
)
flags.DEFINE_enum(
    "strategy",
    "none",
    ["none", "mirrored", "multi_worker"],
    "tf.distribute strategy: none (one device), mirrored (every local device), "
    "multi_worker (MultiWorkerMirroredStrategy: one process per host, each "
    "with its TF_CONFIG; workers other than the chief write to "
    "<output_dir>-worker<index>).",
)
flags.DEFINE_integer(
    "threads",
    0,
    "CPU threads of TensorFlow's ops (0: TensorFlow's default, all cores); 1 "
    "lets two runs share a 2-core machine.",
    lower_bound=0,
)


def parse_settings(items):
    """key=value strings -> {key: Python literal (or the string)}."""
    settings = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise app.UsageError(f"--set expects key=value, got {item!r}")
        try:
            settings[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            settings[key] = value
    return settings


def split_settings(method, dataset, size, settings):
    """(method spec, config overrides): each --set key goes to the method if
    it is one of its hyperparameters (or kl_schedule), else to the config."""
    from keras_vae_collapse.configs import NESTED_FIELDS, get_config
    from keras_vae_collapse.models import registry

    try:
        spec = registry.parse(method)
        config = get_config(dataset, size)
        own = set(spec.method.hyperparameters) | {"kl_schedule"}
        hyper = {k: v for k, v in settings.items() if k in own}
        overrides = {}
        for key, value in settings.items():
            if key in own:
                continue
            head, dot, field = key.partition(".")
            if dot:
                nested = overrides.get(head, config.get(head))
                known = set(nested) if isinstance(nested, dict) else set()
                known |= set(NESTED_FIELDS.get(head, ()))
                if not isinstance(nested, dict) or field not in known:
                    known = sorted(known)
                    raise ValueError(
                        f"--set: {key} is not a config field (known: "
                        f"{', '.join(f'{head}.{k}' for k in known) or 'none'})"
                    )
                overrides[head] = {**nested, field: value}
            else:
                overrides[key] = value
        unknown = sorted(k for k in overrides if k not in config)
        if unknown:
            raise ValueError(
                f"--set: {', '.join(unknown)} is neither a hyperparameter of "
                f"{spec.method.name} ({', '.join(sorted(own))}) nor a config key "
                f"({', '.join(sorted(config))})"
            )
        spec = registry.parse(spec, **hyper)
        get_config(dataset, size, **overrides)
        registry.check(spec)
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    return spec, overrides


def main(argv):
    del argv
    from keras_vae_collapse import training

    set_threads(FLAGS.threads)
    strategy = make_strategy(FLAGS.strategy)
    if FLAGS.resume and not FLAGS.output_dir:
        raise app.UsageError("--resume needs --output_dir (where the checkpoints are)")
    data_dir = data_dir_for(FLAGS.dataset, FLAGS.data_dir)
    if data_dir is not None and not os.path.isdir(data_dir):
        raise app.UsageError(f"--data_dir {data_dir!r} is not a directory")
    spec, overrides = split_settings(
        FLAGS.method, FLAGS.dataset, FLAGS.config, parse_settings(FLAGS.set)
    )
    if "epochs" in overrides and FLAGS.epochs is not None:
        raise app.UsageError("give the epochs once: --epochs or --set=epochs=N")
    epochs = overrides.pop("epochs", FLAGS.epochs)
    try:
        _train(training, spec, data_dir, epochs, overrides, strategy)
    except training.RunFolderError as error:
        raise app.UsageError(str(error)) from error


def make_strategy(name):
    """The tf.distribute strategy of --strategy (None for "none"); created
    before any other TensorFlow op, as MultiWorkerMirroredStrategy asks."""
    import tensorflow as tf

    if name == "none":
        return None
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if not os.environ.get("TF_CONFIG"):
        raise app.UsageError(
            "--strategy=multi_worker needs TF_CONFIG (the cluster and this "
            "worker's index; see the README, 'Training on several hosts')"
        )
    return tf.distribute.MultiWorkerMirroredStrategy()


def _train(training, spec, data_dir, epochs, overrides, strategy=None):
    training.train(
        spec,
        FLAGS.dataset,
        data_dir,
        size=FLAGS.config,
        output_dir=FLAGS.output_dir,
        epochs=epochs,
        steps_per_epoch=FLAGS.steps_per_epoch,
        cache_dir=FLAGS.cache_dir,
        eval_batches=FLAGS.eval_batches,
        seed=FLAGS.seed,
        resume=FLAGS.resume,
        overwrite=FLAGS.overwrite,
        strategy=strategy,
        tensorboard=FLAGS.tensorboard,
        verbose=FLAGS.verbose,
        **overrides,
    )


def run():
    """Entry point of `kvc-train`."""
    run_main(main)
