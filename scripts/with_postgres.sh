#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL cluster on a free loopback port:
#   scripts/with_postgres.sh COMMAND [ARGS...]
# The cluster's URL is exported as TEST_POSTGRES_URL (database changepulse_test); the cluster is removed
# when the command ends. PG_FSYNC=on keeps PostgreSQL's fsync (benchmarks); the tests run with it off.
# Needs Debian's postgresql package (scripts/test.sh installs it); as root the server runs as 'postgres'.
set -euo pipefail
PGBIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
PGDIR="$(mktemp -d /tmp/changepulse-pg.XXXXXX)"
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$PGDIR"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=300" start >/dev/null
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres changepulse_test
export TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/changepulse_test"
echo "==> PostgreSQL on 127.0.0.1:$PGPORT (fsync=${PG_FSYNC:-off})"
"$@"
