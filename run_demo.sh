#!/usr/bin/env bash
# The main job: trains every method on the synthetic data of He et al. (2019)
# and prints the collapse table (IW-NLL, KL, MI, AU, time). Extra flags go to
# scripts/synthetic_table.py (try --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/tools/ensure_venv.sh"
cd "$root"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
exec "$root/.venv/bin/python" scripts/synthetic_table.py "$@"
