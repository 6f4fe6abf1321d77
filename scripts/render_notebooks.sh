#!/usr/bin/env bash
# Execute every notebook in notebooks/ and render it to HTML that opens offline.
# Usage: bash scripts/render_notebooks.sh [OUTPUT_FOLDER]   (default: build/notebooks)
# The notebooks run in a temporary copy, so files they write do not land in the checkout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/build/notebooks}")
JUPYTER=${JUPYTER:-$ROOT/.venv/bin/jupyter}
[ -x "$JUPYTER" ] || JUPYTER=jupyter

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT"/notebooks/*.ipynb "$WORK"/
mkdir -p "$OUT"
# the offline template drops the scripts JupyterLab's page loads from the web
"$JUPYTER" nbconvert --execute --to html --ExecutePreprocessor.timeout=600 \
  --template-file "$ROOT/scripts/nbconvert/offline.html.j2" --embed-images \
  --output-dir "$OUT" "$WORK"/*.ipynb
echo "rendered $(ls "$WORK"/*.ipynb | wc -l) notebook(s) to $OUT"
