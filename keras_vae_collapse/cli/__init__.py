"""Command-line programs (absl): `kvc-train`, `kvc-evaluate`, `kvc-export`.
The files in scripts/ call the same `run` functions."""
