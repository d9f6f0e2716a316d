#!/usr/bin/env bash
# The public, read-only map as its own server (default http://127.0.0.1:8502). It shares the
# editors' database read-only: SQLite opened with mode=ro, or PostgreSQL through DATABASE_URL_RO.
# Hardening: viewer toolbar, no error details, no page navigation, XSRF protection on.
# (CAMAU_SKIP_SETUP=1 skips the install check, as in run-app.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${CAMAU_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
# maxUploadSize 1: the public view has no file uploader, so nothing larger than Streamlit's
# smallest limit is ever needed there (the editors' app uses CAMAU_MAX_UPLOAD_MB).
exec .venv/bin/streamlit run public.py \
  --server.address "${CAMAU_PUBLIC_ADDRESS:-127.0.0.1}" --server.port "${CAMAU_PUBLIC_PORT:-8502}" \
  --client.toolbarMode viewer --client.showErrorDetails none --client.showSidebarNavigation false \
  --server.enableXsrfProtection true --server.maxUploadSize 1 "$@"
