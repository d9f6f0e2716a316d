#!/usr/bin/env bash
# Install (first time) and run the whole test suite: unit, AppTest and real-browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    # Debian's Chromium drives the browser tests; never `playwright install` (it downloads from a CDN).
    for attempt in 1 2 3; do
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && break
      sleep 5
    done
  else
    echo "note: /usr/bin/chromium is missing; browser tests will be skipped (sudo apt-get install chromium)" >&2
  fi
fi
bash scripts/setup.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
