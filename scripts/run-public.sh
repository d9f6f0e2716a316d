#!/usr/bin/env bash
# The public, read-only map as its own server (default http://127.0.0.1:8502). It shares the
# editors' database read-only: SQLite opened with mode=ro, or PostgreSQL through DATABASE_URL_RO.
# Hardening: viewer toolbar, no error details, no page navigation, XSRF protection on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run public.py \
  --server.address "${CAMAU_PUBLIC_ADDRESS:-127.0.0.1}" --server.port "${CAMAU_PUBLIC_PORT:-8502}" \
  --client.toolbarMode viewer --client.showErrorDetails none --client.showSidebarNavigation false \
  --server.enableXsrfProtection true --server.maxUploadSize 1 "$@"
