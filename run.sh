#!/usr/bin/env bash
# Install the dashboard into .venv, load the sample data (once) and start it on http://localhost:8501
# in demo mode (log in as demo_admin / demo). For real use see README → Configuration.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
mkdir -p data
if .venv/bin/python cli.py demo > data/demo-import.log 2>&1; then
  echo "示例数据已就绪（导入记录：data/demo-import.log）。演示账号 demo_admin / demo"
else
  echo "示例数据导入有问题，详见 data/demo-import.log" >&2
fi
export DASHBOARD_DEMO="${DASHBOARD_DEMO:-1}"
exec .venv/bin/python -m streamlit run dashboard.py "$@"
