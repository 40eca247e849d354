#!/usr/bin/env bash
# Install the dashboard into .venv, load the sample data (once) and start it on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
.venv/bin/python cli.py demo > /dev/null || true   # a second run changes nothing
exec .venv/bin/python -m streamlit run dashboard.py "$@"
