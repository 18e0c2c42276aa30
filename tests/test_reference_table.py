"""The reference-schedule tables' bookkeeping: ratios to the same seed's VAE, the
per-method means, folder names, and finished rows that are not rerun."""

import json

from reproduce import reference_table


def row(method, seed, seconds, iw_nll, steps=None):
    return {
        "method": method,
        "seed": seed,
        "iw_nll": iw_nll,
        "kl": 0.0,
        "mi_batch": 0.0,
        "mi_dataset": 0.0,
        "au": 0,
        "aggressive_steps": steps,
        "inner_steps": None if steps is None else 30 * steps,
        "epochs": 40,
        "train_seconds": seconds,
    }


def test_ratios_are_to_the_same_seeds_vae_and_means_are_per_method():
    rows = reference_table.with_ratios(
        [
            row("vae", 0, 100.0, 38.0),
            row("vae", 1, 200.0, 38.2),
            row("agg-vae", 0, 150.0, 37.9, 1000),
            row("agg-vae", 1, 300.0, 38.1, 2000),
            row("agg-vae", 2, 300.0, 38.1, 2000),
        ]
    )
    assert [r["ratio"] for r in rows] == [1.0, 1.0, 1.5, 1.5, None]
    table = reference_table.format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 2 + 5 + 2
    # the mean of agg-vae has no ratio (seed 2 has no VAE) but has the rest
    assert lines[-1].startswith("| agg-vae | mean | 38.03 |")
    assert lines[-1].endswith("| 40 | 250 | - |")
    assert "| vae | mean | 38.10 |" in table


def test_folder_names_are_safe_and_distinct():
    a = reference_table.folder_name("agg-vae(check_every=250)+anneal", 0)
    b = reference_table.folder_name("agg-vae+anneal", 0)
    assert a == "agg-vae_check_every_250_anneal_s0" and a != b
    assert "/" not in reference_table.folder_name("x(a='b/c')", 1)


def test_a_finished_row_is_read_not_rerun(tmp_path):
    folder = tmp_path / reference_table.folder_name("vae", 3)
    folder.mkdir()
    done = row("vae", 3, 12.0, 38.4)
    (folder / "table_row.json").write_text(json.dumps(done))
    # no data_dir: training would fail, so the row must come from the file
    got = reference_table.run_row("vae", 3, None, str(tmp_path))
    assert got == done


def test_an_exact_nll_is_marked_as_such_and_a_bound_is_not():
    lm = {**row("lstm-lm", 0, 90.0, 38.1), "nll_kind": "exact log p(x): no latent"}
    vae = {**row("vae", 0, 100.0, 38.3), "nll_kind": "log p(x) bound"}
    lines = reference_table.format_table(reference_table.with_ratios([vae, lm]))
    lines = lines.splitlines()
    assert lines[2].startswith("| vae | 0 | 38.30 |")
    assert lines[3].startswith("| lstm-lm | 0 | 38.10 (exact) |")
    assert "| 0.90 |" in lines[3]  # its time over the same seed's VAE
    assert lines[-1].startswith("| lstm-lm | mean | 38.10 (exact) |")
    assert lines[-2].startswith("| vae | mean | 38.30 |")


def test_the_main_rows_and_the_cost_rows_are_registry_specs():
    from keras_vae_collapse.models import registry

    for method in reference_table.ROWS + reference_table.AGG_ROWS:
        registry.parse(method)
    assert reference_table.ROWS[0] == reference_table.AGG_ROWS[0] == "vae"
