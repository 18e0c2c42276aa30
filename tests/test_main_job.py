import json

import pytest

from reproduce import synthetic_table


def test_main_job_table_on_a_small_corpus(tmp_path):
    out = tmp_path / "table.json"
    lines = []
    rows = synthetic_table.run_table(
        methods=["vae", "vae+anneal"],
        epochs=1,
        output=str(out),
        log=lines.append,
        splits={"train": 320, "validation": 16, "test": 64},
        iw_samples=4,
    )
    assert [r["method"] for r in rows] == ["vae", "vae+anneal"]
    for r in rows:
        assert r["iw_nll"] > 0 and r["ppl"] > 1 and r["au"] in (0, 1, 2)
        assert r["eval_examples"] == 64 and r["iw_samples"] == 4
    saved = json.loads(out.read_text())
    assert [r["method"] for r in saved["rows"]] == ["vae", "vae+anneal"]
    assert any("IW-NLL" in line for line in lines)  # the printed table
    assert any("(1/2) training vae" in line for line in lines)  # progress


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="known:"):
        synthetic_table.run_table(methods=["magic"], log=lambda s: None)


def test_the_script_runs_end_to_end(tmp_path):
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tmp_path / "t.json"
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(root, "scripts", "synthetic_table.py"),
            "--methods=vae",
            "--epochs=1",
            "--train_examples=32",
            "--eval_examples=20",
            "--iw_samples=2",
            f"--output={out}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "IW-NLL" in result.stdout and out.exists()
    bad = subprocess.run(
        [
            sys.executable,
            os.path.join(root, "scripts", "synthetic_table.py"),
            "--methods=magic",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "unknown method" in bad.stderr
