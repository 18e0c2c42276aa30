#!/usr/bin/env bash
# The test suite (lint + pytest). Extra arguments go to pytest. The tests run
# in KVC_TEST_WORKERS processes (pytest-xdist; default 2, one per core of the
# CI machine; 0 runs them in this process).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/tools/ensure_venv.sh"
cd "$root"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
"$root/.venv/bin/ruff" check .
"$root/.venv/bin/ruff" format --check .
exec "$root/.venv/bin/python" -m pytest -n "${KVC_TEST_WORKERS:-2}" "$@"
