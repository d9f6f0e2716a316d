#!/usr/bin/env bash
# Install (first time) and start the app on its embedded defaults: http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --server.address "${CAMAU_ADDRESS:-127.0.0.1}" \
  --server.port "${CAMAU_PORT:-8501}" "$@"
