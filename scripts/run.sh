#!/usr/bin/env bash
# One command to run the whole system on the embedded default (SQLite + local media under ./var):
# installs, migrates, creates the demo admin and demo data if missing, serves admin + API on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
# Embedded mode: one machine, demo data, emails to the log, a random SECRET_KEY kept in var/.
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || (umask 077 && python -c "import secrets; print(secrets.token_urlsafe(48))" > var/secret_key)
  SECRET_KEY="$(cat var/secret_key)"
  export SECRET_KEY
fi
export EMBEDDED="${EMBEDDED:-true}" EMAIL_TO_LOG="${EMAIL_TO_LOG:-true}"
s7 migrate
s7 xp backfill-certificate-requests
s7 seed-demo --force > var/demo.json
python - <<'PY'
import json
d = json.load(open("var/demo.json"))
print()
print("  Админ-панель:  http://127.0.0.1:%s/admin" % __import__("os").environ.get("PORT", "8000"))
print("  Вход:          %s / %s" % (d["admin"]["email"], d["admin"]["password"]))
print("  Поддержка:     %s / %s" % (d["support"]["email"], d["support"]["password"]))
print("  Ментор (API):  %s / %s" % (d["mentor"]["email"], d["mentor"]["password"]))
print("  API:           http://127.0.0.1:%s/api/docs" % __import__("os").environ.get("PORT", "8000"))
print()
PY
exec s7 serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
