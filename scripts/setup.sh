#!/usr/bin/env bash
# Create .venv and install the pinned requirements (idempotent; quick when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt constraints.txt | sha256sum | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  # This machine's pip config lists local mirrors that may not exist; their warnings are noise.
  .venv/bin/pip install -q -r requirements.txt 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$wanted" > "$stamp"
fi
