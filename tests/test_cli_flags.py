"""Flags of the commands: method lists whose specs hold commas."""

import os
import subprocess
import sys

import pytest
from absl import flags

from keras_vae_collapse.cli.common import define_spec_list, split_specs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "text, specs",
    [
        ("vae", ["vae"]),
        ("vae, bn-vae", ["vae", "bn-vae"]),
        (
            "vae+anneal,agg-vae(check_every=100,patience=2)+anneal",
            ["vae+anneal", "agg-vae(check_every=100,patience=2)+anneal"],
        ),
        (
            "gamma=0.7,sizes=[1, 2],pair=(3,4)",
            ["gamma=0.7", "sizes=[1, 2]", "pair=(3,4)"],
        ),
        ("vae,,", ["vae"]),
    ],
)
def test_split_specs_splits_only_outside_brackets(text, specs):
    assert split_specs(text) == specs


@pytest.mark.parametrize("text", ["agg-vae(check_every=100", "vae)", "a[(1,2]"])
def test_split_specs_refuses_unbalanced_brackets(text):
    with pytest.raises(ValueError, match="unbalanced"):
        split_specs(text)


def test_a_spec_list_flag_parses_specs_and_reports_bad_ones():
    values = flags.FlagValues()
    define_spec_list("methods", ["vae"], "specs", flag_values=values)
    values(["prog", "--methods=vae,agg-vae(check_every=100,patience=2)"])
    assert values.methods == ["vae", "agg-vae(check_every=100,patience=2)"]
    with pytest.raises(flags.IllegalFlagValueError, match="unbalanced"):
        values(["prog", "--methods=agg-vae(check_every=100"])


def test_the_cost_benchmark_takes_a_spec_with_commas(tmp_path):
    env = dict(os.environ, KVC_DATA_DIR=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "benchmarks", "agg_vae_cost.py"),
            "--methods=vae,agg-vae(check_every=100,patience=2)+anneal",
            f"--output_dir={tmp_path / 'runs'}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    # both specs parse; the run stops at the missing data folder
    assert result.returncode == 2, result.stderr
    assert "no synthetic_he2019 folder" in result.stderr
    assert "unknown method" not in result.stderr
