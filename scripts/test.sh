#!/usr/bin/env bash
# Install (first time) and run the whole test suite: unit, AppTest, real-browser tests, and the
# storage tests on SQLite and on a throwaway PostgreSQL (when run as root, which installs what is
# missing: Debian's chromium and postgresql).
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
  source scripts/test-postgres.sh
  trap stop_test_postgres EXIT
  start_test_postgres
else
  echo "note: not root, so browser tests need /usr/bin/chromium already installed and the" \
       "PostgreSQL tests run only if DATABASE_URL is set" >&2
fi
bash scripts/setup.sh
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
