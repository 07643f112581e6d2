#!/usr/bin/env bash
# One command to run the test suite (set-up included). Extra arguments go to pytest.
# TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test runs it on PostgreSQL;
# by default a fresh SQLite file is used. Browser tests need /usr/bin/chromium (skipped otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
