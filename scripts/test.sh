#!/usr/bin/env bash
# Install everything the test suite needs into .venv, then lint, type-check and test.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Non-editable: the tests exercise the installed package and its shipped geodata.
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps .
.venv/bin/python -m pip install --quiet ".[test]"

# Browser tests open maps in Debian's Chromium.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)" >&2
  fi
fi

.venv/bin/ruff check corridors tests scripts benchmarks
.venv/bin/ruff format --check corridors tests scripts benchmarks
.venv/bin/mypy corridors
.venv/bin/lint-imports
if [ "$#" -gt 0 ]; then
  .venv/bin/pytest "$@"
else
  # first, alone, the tests that signal a running process at chosen moments (a busy
  # second core could move those moments); then the rest on two processes
  .venv/bin/pytest -m serial
  .venv/bin/pytest -n 2 -m "not serial"
fi
