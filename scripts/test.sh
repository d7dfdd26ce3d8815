#!/usr/bin/env bash
# Set up and run the whole test suite: lint and the import contracts, then pytest on SQLite (and on PostgreSQL
# too when EVENTHUB_TEST_DATABASE_URL is set), spread over the machine's cores.
# Extra arguments go to pytest. The suite's wall time is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-system-deps.sh || echo "Could not install the system packages; browser and deployment tests will be skipped." >&2
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check --quiet .
# The import contracts of docs/architecture.md: the whole report when one is broken, else its last line.
if ! contracts=$(.venv/bin/lint-imports --no-cache --no-logo 2>&1); then
  echo "$contracts" >&2
  exit 1
fi
echo "$contracts" | tail -n 1
status=0
# loadgroup: the tests of one xdist_group (the production-like set-up of tests/deploy) share one worker,
# so its servers are started once.
.venv/bin/python -m pytest -n auto --dist loadgroup "$@" || status=$?
elapsed=$(( $(date +%s) - started ))
printf 'test suite wall time: %dm %02ds (set-up, lint and tests)\n' $((elapsed / 60)) $((elapsed % 60))
exit "$status"
