#!/usr/bin/env bash
# Install the dashboard into .venv, load the sample data (once) and start it on http://localhost:8501
# in demo mode (log in as demo_admin / demo). For real use see README → Configuration.
#
# Demo mode listens on this computer only (127.0.0.1): its passwords are printed on the login page.
# To open it to the network anyway: ./run.sh --server.address 0.0.0.0
# (or STREAMLIT_SERVER_ADDRESS=0.0.0.0 ./run.sh). Other options are passed to `streamlit run`.
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

address=()
asked=""
for arg in "$@"; do
  case "$arg" in --server.address|--server.address=*) asked=1 ;; esac
done
if [ -n "${STREAMLIT_SERVER_ADDRESS:-}" ]; then
  asked=1
fi
if [ "$DASHBOARD_DEMO" = "1" ]; then
  if [ -z "$asked" ]; then
    address=(--server.address 127.0.0.1)
    echo "演示模式只允许本机访问（127.0.0.1）；如需局域网访问：./run.sh --server.address 0.0.0.0"
  else
    echo "注意：演示模式按要求对外开放，能访问本机的人都可以用演示账号登录。" >&2
  fi
fi
# serve.py: the dashboard behind the middleware that sets the login-session cookie.
exec .venv/bin/python -m streamlit run serve.py ${address[@]+"${address[@]}"} "$@"
