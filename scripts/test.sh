#!/usr/bin/env bash
# Install (first time) and run the whole test suite: unit, AppTest, real-browser tests, the nginx
# example, and the storage tests on SQLite and on a throwaway PostgreSQL (when run as root, which
# installs what is missing: Debian's chromium, nginx-light and postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  if [ ! -x /usr/bin/chromium ]; then
    # Debian's Chromium drives the browser tests; never `playwright install` (it downloads from a CDN).
    for attempt in 1 2 3; do
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && break
      sleep 5
    done
  fi
  if [ ! -x /usr/sbin/nginx ]; then
    # Debian's nginx for tests/test_nginx.py, which runs nginx itself (own prefix, loopback only);
    # policy-rc.d keeps the package from starting the system service.
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
    fi
    for attempt in 1 2 3; do
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null && break
      sleep 5
    done
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  fi
  source scripts/test-postgres.sh
  trap stop_test_postgres EXIT
  start_test_postgres
else
  echo "note: not root, so browser tests need /usr/bin/chromium already installed, the nginx" \
       "tests /usr/sbin/nginx, and the PostgreSQL tests run only if DATABASE_URL is set" >&2
fi
bash scripts/setup.sh
# The layer contracts (pyproject.toml) and lint come first: a broken layer fails fast.
.venv/bin/lint-imports
.venv/bin/ruff check .
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
