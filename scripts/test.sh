#!/usr/bin/env bash
# Set up (with test tools and chromium) and run the whole test suite, ruff included.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
# The test files run in GAN_TEST_WORKERS parallel pytest-xdist workers (default 2; 0 runs them in this process),
# one whole file per worker at a time (--dist loadfile), so a file's module-scoped fixtures are made once.
# The tests are independent: each makes its own folders (GAN_CHECKPOINTS_DIR, GAN_DATASETS_DIR, GAN_CACHE_DIR)
# and serves the app on a free port.
# --max-worker-restart=0: a worker that crashes (a segfault, or pytest-timeout ending a hung test) fails the run at
# once with the test named; replacing it can leave xdist's loadfile scheduler waiting for ever (pytest-xdist#784).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
export TF_CPP_MIN_LOG_LEVEL=3
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n "${GAN_TEST_WORKERS:-2}" --dist loadfile --max-worker-restart=0 "$@"
