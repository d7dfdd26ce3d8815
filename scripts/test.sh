#!/usr/bin/env bash
# Set up and run the whole test suite: lint, then pytest on SQLite (and on PostgreSQL
# too when EVENTHUB_TEST_DATABASE_URL is set). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-system-deps.sh || echo "Could not install Chromium; browser tests will be skipped." >&2
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest "$@"
