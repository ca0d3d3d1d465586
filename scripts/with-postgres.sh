#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server started here, then stop it.
#   scripts/with-postgres.sh .venv/bin/pytest -q
# The cluster lives in a temporary directory, listens on 127.0.0.1 only, and trades durability
# for speed (fsync off): it holds test data only.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ]; then
  echo "error: no PostgreSQL server found; run scripts/ensure-system-deps.sh" >&2
  exit 1
fi
PORT=${STEADYHAND_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DATA=$(mktemp -d /tmp/steadyhand-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root; the Debian package provides a 'postgres' user.
  id postgres >/dev/null 2>&1 || useradd --system --home "$DATA" postgres
  chown postgres "$DATA"
  RUN_AS=(runuser -u postgres --)
fi

cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DATA/db" -U steadyhand -A trust --no-sync -E UTF8 \
  --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -t 60 \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  start >/dev/null

export DATABASE_URL="postgres://steadyhand@127.0.0.1:$PORT/steadyhand"
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U steadyhand steadyhand
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT for: $*"
"$@"
