#!/usr/bin/env bash
# Install everything the tests need on this machine, then run them (`.ci/run` runs exactly this).
# Arguments go to pytest: `bash tests/run.sh tests/system/test_endpoint.py -x`; `bash tests/run.sh tests/unit` for the fast tier.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser of its own)
if ! command -v chromium >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Virtuoso Open Source 7 for the tests against a SPARQL store (tests/stores.py starts it; Oxigraph server
# comes from PyPI with the test extras)
if ! command -v virtuoso-t >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
fi

# A virtual environment of the project's own, unless one is active
if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    . .venv/bin/activate
fi
python -m pip install --quiet --upgrade pip
python -m pip install --quiet hatchling          # the packaging test builds the wheel without isolation
python -m pip install --quiet -e '.[test]'

ruff check src tests benchmarks
lint-imports
export KORYO_KG_HOME="${KORYO_KG_HOME:-$(mktemp -d)}"
python -m pytest "$@"
