# shellcheck shell=bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the `postgres` tests; installs
# Debian's postgresql package when no server binaries are present. Sourced by .ci/run.
# Exports PCF_TEST_POSTGRES_URL; stop_postgres stops the server and removes its data.

PG_BIN=""
PG_DATA=""

_pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_as_pg() {
  # initdb and postgres refuse to run as root: use the postgres system user then.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  PG_BIN="$(_pg_bindir)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "ci: installing PostgreSQL (Debian package postgresql)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(_pg_bindir)"
  fi
  PG_DATA="$(mktemp -d /tmp/pcf-ci-pg.XXXXXX)"
  chmod 755 "$PG_DATA"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  _as_pg "$PG_BIN/initdb" -D "$PG_DATA/data" -U pcf --auth=trust -E UTF8 >/dev/null
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/data" -l "$PG_DATA/server.log" -w \
    -o "-p $port -k $PG_DATA -c listen_addresses=127.0.0.1" start >/dev/null
  _as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U pcf pcf_test
  export PCF_TEST_POSTGRES_URL="postgresql+psycopg://pcf@127.0.0.1:$port/pcf_test"
  echo "ci: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
  if [ -n "$PG_DATA" ] && [ -d "$PG_DATA/data" ]; then
    _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
  fi
}
