#!/usr/bin/env bash
# Install the project and its test tools into .venv, then run the whole test suite, one worker per
# core (pytest-xdist; every test has its own database, schema, ports and files). Arguments go to
# pytest after the defaults: `-n 0` runs in this process, `-m "not slow and not browser"` the fast part.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest -n auto "$@"
