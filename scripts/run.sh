#!/usr/bin/env bash
# Run ChangePulse on the embedded default (SQLite) at http://127.0.0.1:5000.
# On a fresh machine: creates .venv, installs, migrates, seeds the demo data, creates an admin
# (its password is printed once), then serves with gunicorn.
set -euo pipefail
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
ensure_venv "$ROOT/requirements.txt"
# The code version recorded with theme runs: the git revision, read once here and not in a request or job.
CHANGEPULSE_CODE_VERSION="${CHANGEPULSE_CODE_VERSION:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
export CHANGEPULSE_CODE_VERSION
export FLASK_APP=app
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p instance
  [ -f instance/secret_key ] || "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key
  SECRET_KEY="$(cat instance/secret_key)"
  export SECRET_KEY
fi
"$VENV/bin/flask" db upgrade
"$VENV/bin/flask" demo --if-empty
"$VENV/bin/flask" users ensure-admin admin@example.com
echo "==> ChangePulse: http://127.0.0.1:${PORT:-5000}/login"
WORKERS="${WORKERS:-2}" exec "$VENV/bin/gunicorn" -c gunicorn.conf.py \
  "app:create_app()"
