#!/usr/bin/env bash
# One command to run the whole system on the embedded default (SQLite + local media under ./var):
# installs, migrates, creates the demo admin and demo data if missing, serves admin + API on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
s7 migrate
s7 seed-demo > var/demo.json
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
