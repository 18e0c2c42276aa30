r"""kvc-publish: a finished kvc-train run as a zoo model.

    kvc-publish --run=runs/yelp_scale_vae --name=yelp_scale_vae \
        --evaluation=runs/yelp_scale_vae/eval.json \
        --probe=runs/yelp_scale_vae/probe.json

Writes saved_models/<name>/ (the run's preset, the serving/1 encoder, the
model card, metadata with every file's SHA-256 and the measured metrics) and
zoo/<name>.json (from the draft zoo/drafts/<name>.json, or --draft).
The metrics come from --evaluation, the JSON kvc-evaluate
wrote for the run's stored weights (checked by checksum). With
--not_shipped_because="<why>", only zoo/<name>.json is written (a table row
that is measured but not shipped: "artifacts": null).
"""

from absl import app, flags

from keras_vae_collapse.cli.common import run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("run", None, "The kvc-train output folder.")
flags.DEFINE_string("name", None, "The zoo name, e.g. yelp_scale_vae.")
flags.DEFINE_string("evaluation", None, "kvc-evaluate's JSON for the run.")
flags.DEFINE_string(
    "draft",
    None,
    "The recipe draft: commands, the paper's numbers, limitations (default: "
    "zoo/drafts/<name>.json, else the recipe zoo/<name>.json).",
)
flags.DEFINE_string(
    "probe", None, "Optional JSON of the linear-probe row (or rows) of the run."
)
flags.DEFINE_string(
    "probe_source", None, "Which row of --probe (default: the only one)."
)
flags.DEFINE_string(
    "commit", None, "The git commit the run was trained from, if it records none."
)
flags.DEFINE_string("saved_models", None, "Default: kvc.zoo.saved_models_dir().")
flags.DEFINE_string("recipes", None, "Default: kvc.zoo.recipes_dir().")
flags.DEFINE_boolean(
    "overwrite", False, "Replace an existing zoo model (or recipe-only row)."
)
flags.DEFINE_string(
    "not_shipped_because",
    None,
    "Write only the recipe (artifacts null) of a table row that is measured "
    "but not shipped, with this reason.",
)
for _name in ("run", "name", "evaluation"):
    flags.mark_flag_as_required(_name)


def probe_row(path, source=None):
    """The row of a probe JSON (a row, or a list of rows with `source`)."""
    import json

    with open(path) as f:
        rows = json.load(f)
    if isinstance(rows, dict):
        return rows
    chosen = [r for r in rows if source is None or r.get("source") == source]
    if len(chosen) != 1:
        raise app.UsageError(
            f"--probe: {len(chosen)} rows match (sources: "
            f"{', '.join(str(r.get('source')) for r in rows)}); pass --probe_source"
        )
    return chosen[0]


def main(argv):
    del argv
    from keras_vae_collapse import zoo

    probe = probe_row(FLAGS.probe, FLAGS.probe_source) if FLAGS.probe else None
    try:
        zoo.publish(
            FLAGS.run,
            FLAGS.name,
            FLAGS.evaluation,
            FLAGS.draft,
            probe=probe,
            saved_models=FLAGS.saved_models,
            recipes=FLAGS.recipes,
            commit=FLAGS.commit,
            overwrite=FLAGS.overwrite,
            not_shipped_because=FLAGS.not_shipped_because,
        )
    except (zoo.ZooError, OSError) as error:
        raise app.UsageError(str(error)) from error


def run():
    """Entry point of `kvc-publish`."""
    run_main(main)
