#!/usr/bin/env bash
# Set up (with test tools and chromium) and run the whole test suite, ruff included.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
export TF_CPP_MIN_LOG_LEVEL=3
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
