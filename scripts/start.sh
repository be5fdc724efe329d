#!/usr/bin/env bash
# Set up, make the built-in cartoon-faces dataset if it is missing, and start the app.
# Extra arguments go to streamlit, e.g. scripts/start.sh --server.address 0.0.0.0 --server.port 8501
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
.venv/bin/python -m gan_core.datasets build cartoon-faces --count 2000 --resolution 32 --skip-existing
# ui/server.py: `streamlit run app.py`, with the heavy libraries imported before the first visitor
exec .venv/bin/python -m ui.server --browser.gatherUsageStats false "$@"
