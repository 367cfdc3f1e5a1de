#!/usr/bin/env bash
# Run the whole test suite, one pytest worker per core. Installs what the tests need (Debian chromium,
# postgresql, redis and CJK fonts via apt when missing; Python packages into .venv), checks lint and
# formatting (ruff) and types (mypy),
# starts a throw-away PostgreSQL cluster on a loopback port, runs pytest (extra arguments are passed on), and
# removes the cluster afterwards.
set -euo pipefail
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)  # no -q: an early exit SIGPIPEs fc-list under pipefail
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
ensure_venv "$ROOT/requirements-dev.txt"

echo "==> ruff check and ruff format --check"
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .

echo "==> mypy (settings in pyproject.toml: strict on surveys/ and analysis/, the basic check on app/)"
"$VENV/bin/mypy"

# The code version recorded with theme runs: the git revision, read once here and not in a request or job.
CHANGEPULSE_CODE_VERSION="${CHANGEPULSE_CODE_VERSION:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
export CHANGEPULSE_CODE_VERSION
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
# one pytest worker per core (pytest-xdist); TEST_WORKERS=0 runs the tests in this process, one after another
exec "$ROOT/scripts/with_postgres.sh" "$VENV/bin/python" -m pytest -n "${TEST_WORKERS:-auto}" "$@"
