"""What the commands share: finding the model and the data a command means."""

import json
import os
import sys

from absl import app

_HELP = ("--help", "-h", "-?", "--helpshort", "--helpfull")


def run_main(main):
    """`app.run(main)`, with `--help` printing the command's docstring and its
    flags (exit 0) and a usage error printed as one line (exit 2)."""
    module = sys.modules[main.__module__]
    if any(arg in _HELP for arg in sys.argv[1:]):
        from absl import flags

        print((module.__doc__ or "").strip() + "\n\nflags:")
        print(flags.FLAGS.module_help(module.__name__))
        sys.exit(0)

    def wrapped(argv):
        from absl import logging

        logging.set_verbosity(logging.WARNING)  # no tfds INFO flood
        import tensorflow_datasets as tfds

        tfds.disable_progress_bar()
        try:
            return main(argv)
        except app.UsageError as error:
            name = os.path.basename(sys.argv[0] or "kvc")
            print(f"{name}: error: {error}", file=sys.stderr)
            sys.exit(2)

    app.run(wrapped)


def split_specs(text):
    """Splits a comma-separated flag value at the commas outside brackets, so
    `vae,agg-vae(check_every=100,patience=2)+anneal` is two specs. Raises
    ValueError on unbalanced brackets."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in {text!r}")
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if depth:
        raise ValueError(f"unbalanced brackets in {text!r}")
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def define_spec_list(name, default, help_text, **kwargs):
    """`flags.DEFINE_list` whose items may hold commas inside brackets (method
    specs such as `agg-vae(check_every=100,patience=2)`; see `split_specs`)."""
    from absl import flags

    class _SpecListParser(flags.ListParser):
        def parse(self, argument):
            if isinstance(argument, list):
                return argument
            return split_specs(argument)

    flags.DEFINE(
        _SpecListParser(),
        name,
        default,
        help_text,
        serializer=flags.CsvListSerializer(","),
        **kwargs,
    )


def load_model(spec):
    """(model, summary dict or {}, default name) of `spec`: a kvc-train
    output folder, a preset folder, a `.keras` file or a zoo model name."""
    import keras

    from keras_vae_collapse import zoo
    from keras_vae_collapse.training.trainer import RUN_MODEL

    summary = {}
    try:
        if os.path.isdir(spec):
            name = os.path.basename(os.path.normpath(spec))
            summary_path = os.path.join(spec, "summary.json")
            if os.path.exists(summary_path):
                with open(summary_path) as f:
                    summary = json.load(f)
            folder = os.path.join(spec, RUN_MODEL)
            if not os.path.isdir(folder):
                folder = spec
            return zoo.load_preset(folder), summary, name
        if spec.endswith(".keras"):
            if not os.path.exists(spec):
                raise app.UsageError(f"--model: no file {spec}")
            name = os.path.basename(spec)[: -len(".keras")]
            return keras.saving.load_model(spec), summary, name
        return zoo.load(spec), summary, spec
    except zoo.ZooError as error:
        raise app.UsageError(str(error)) from error


def data_dir_for(dataset, data_dir):
    """The dataset's folder: `data_dir`, else $KVC_DATA_DIR/<dataset> (None
    for datasets that need no files)."""
    from keras_vae_collapse.datasets import BUILDERS, default_data_root

    if dataset not in BUILDERS:
        raise app.UsageError(
            f"--dataset must be one of {', '.join(BUILDERS)}, got {dataset!r}"
        )
    if data_dir or not BUILDERS[dataset].NEEDS_FILES:
        return data_dir
    root = default_data_root()
    if root is None:
        raise app.UsageError(
            f"--data_dir is required for {dataset} (or set KVC_DATA_DIR)"
        )
    return os.path.join(root, dataset)


def set_threads(threads):
    """Caps TensorFlow's op threads (0 keeps its default, all cores)."""
    if threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
