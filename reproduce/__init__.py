"""Reproductions of the papers' tables (not part of the installed package):
the main job's synthetic table, the failure-mode experiment and the Agg-VAE
cost comparison. Run them through `scripts/` and `benchmarks/`."""
