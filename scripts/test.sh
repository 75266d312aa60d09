#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then lints and runs the whole suite.
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the end-to-end browser tests (Playwright never downloads a browser here),
# Debian's nginx for the lecture-hall test (scripts/serve.sh), and Debian's PostgreSQL server for the
# class-vote store's tests (tests/test_classroom.py starts its own on loopback), and Node.js for the
# tests that run the map's browser functions outside a browser.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} not installed and cannot be installed here; their e2e tests will be skipped" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest -q "$@"
