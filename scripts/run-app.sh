#!/usr/bin/env bash
# Install (first time) and start the app on its embedded defaults: http://127.0.0.1:8501
# (CAMAU_SKIP_SETUP=1 skips the install check, e.g. on a box whose .venv is managed elsewhere.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${CAMAU_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
# Streamlit refuses larger uploads itself (its default would be 200 MB): CAMAU_MAX_UPLOAD_MB.
STREAMLIT_SERVER_MAX_UPLOAD_SIZE="$(.venv/bin/python -m storage.settings upload-mb)"
export STREAMLIT_SERVER_MAX_UPLOAD_SIZE
exec .venv/bin/streamlit run app.py --server.address "${CAMAU_ADDRESS:-127.0.0.1}" \
  --server.port "${CAMAU_PORT:-8501}" "$@"
