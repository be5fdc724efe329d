#!/usr/bin/env bash
# Set up GAN Explorer's Python environment in .venv (idempotent: a second run only checks).
# With an NVIDIA GPU visible (nvidia-smi works), TensorFlow's CUDA libraries are added too.
# Usage: scripts/setup.sh [--dev]     (--dev adds the test tools and Debian's chromium for browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $($PY --version)"
  $PY -m venv .venv
fi
reqs=requirements.txt
[ "${1:-}" = "--dev" ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)-$(basename $reqs .txt)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$reqs"
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "NVIDIA GPU found: installing TensorFlow's CUDA support"
    tf=$(grep -E '^tensorflow==' requirements.txt | cut -d= -f3)
    .venv/bin/python -m pip install --quiet "tensorflow[and-cuda]==${tf}"
  fi
  touch "$stamp"
fi
if [ "${1:-}" = "--dev" ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
