#!/usr/bin/env bash
# Creates (or reuses) .venv in the checkout and installs the package with its
# test extras. Reinstalls only when setup.cfg or pyproject.toml changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x "$venv/bin/python" ]; then
  echo "[kvc] creating virtual environment in $venv" >&2
  "$python" -m venv "$venv"
fi
stamp="$venv/.kvc-installed"
want="$(cat "$root/setup.cfg" "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[kvc] installing keras_vae_collapse and its dependencies (first run: ~2 minutes)" >&2
  "$venv/bin/python" -m pip install -q --upgrade pip >&2
  "$venv/bin/python" -m pip install -q -e "$root[test]" >&2
  echo "$want" > "$stamp"
fi
