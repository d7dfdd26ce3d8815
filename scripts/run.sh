#!/usr/bin/env bash
# Set everything up and serve the app on http://127.0.0.1:5000 with SQLite and the demo events.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
export FLASK_APP=wsgi.py
.venv/bin/flask db upgrade
.venv/bin/flask load-demo --if-empty
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
