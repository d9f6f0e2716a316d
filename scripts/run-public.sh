#!/usr/bin/env bash
# Preview the public map, a static site, on this machine (default http://127.0.0.1:8502). The
# editors' app rebuilds it into CAMAU_PUBLIC_DIR on every publish and rollback and when it starts;
# this script builds it first when there is none yet, then serves the files with Python's own
# file server. In production nginx serves them (deploy/nginx/camau-public.conf.template).
# (CAMAU_SKIP_SETUP=1 skips the install check, as in run-app.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${CAMAU_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
site="$(.venv/bin/python -c 'from publicsite.build import public_dir; print(public_dir())')"
[ -e "$site/current/site.json" ] || .venv/bin/python manage.py build-public
exec .venv/bin/python -m http.server --bind "${CAMAU_PUBLIC_ADDRESS:-127.0.0.1}" \
  --directory "$site/current" "${CAMAU_PUBLIC_PORT:-8502}"
