#!/usr/bin/env bash
# The project's own throwaway PostgreSQL: a data directory it manages, reached on a unix socket.
#
#   scripts/db.sh up      install what is missing, initdb once, start the server, create the database
#   scripts/db.sh down    stop the server (the data directory stays; `clean` removes it)
#   scripts/db.sh url     print the DATABASE_URL of the local server
#   scripts/db.sh clean   stop and delete the data directory
#
# As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root); the
# data directory, its socket and its log then belong to that user. When the project folder is
# not reachable by `postgres` (for example under a 0700 home), the data directory moves to a
# folder under /tmp named after the project path. With DATABASE_URL set, `up` and `down` do
# nothing: that server is used instead.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_VERSION="${PG_VERSION:-15}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/${PG_VERSION}/bin}"
DB_NAME="${STEADFAST_DB_NAME:-steadfast}"
PG_PORT="${STEADFAST_PG_PORT:-5432}"

log() { echo "db: $*" >&2; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

data_dir() {
    if [ -n "${STEADFAST_PGDATA:-}" ]; then echo "$STEADFAST_PGDATA"; return; fi
    local d="$here/.pgdata"
    # A unix socket path must stay under 107 bytes; and as root, `postgres` must reach it.
    if [ ${#d} -gt 80 ] || { [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 \
            && ! runuser -u postgres -- test -x "$here"; }; then
        d="/tmp/steadfast-pg-$(printf '%s' "$here" | md5sum | cut -c1-12)"
    fi
    echo "$d"
}

url() {
    local d; d="$(data_dir)"
    echo "postgresql:///${DB_NAME}?host=${d}/socket&port=${PG_PORT}&user=postgres"
}

install_deps() {
    # Debian/Ubuntu: the server, the client library, pgTAP, pg_prove, plpgsql_check (the
    # static checker `make test` runs over every function) and PL/Proxy. Only what is missing.
    local need=()
    [ -x "$PG_BIN/initdb" ] || need+=("postgresql-${PG_VERSION}")
    [ -f /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
    command -v pkg-config >/dev/null || need+=(pkg-config)
    [ -f "/usr/share/postgresql/${PG_VERSION}/extension/pgtap.control" ] || need+=("postgresql-${PG_VERSION}-pgtap")
    [ -f "/usr/share/postgresql/${PG_VERSION}/extension/plpgsql_check.control" ] || need+=("postgresql-${PG_VERSION}-plpgsql-check")
    # PL/Proxy: the router of the sharded configuration (scripts/shards.sh, docs/scale-out.md).
    [ -f "/usr/share/postgresql/${PG_VERSION}/extension/plproxy.control" ] || need+=("postgresql-${PG_VERSION}-plproxy")
    command -v pg_prove >/dev/null || need+=(libtap-parser-sourcehandler-pgtap-perl)
    command -v psql >/dev/null || need+=("postgresql-client-${PG_VERSION}")
    [ ${#need[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null; then
        log "missing ${need[*]} and no apt-get here: install them by hand"; exit 1
    fi
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    log "installing ${need[*]}"
    # The postgresql package would create and start a system cluster; we run our own.
    export DEBIAN_FRONTEND=noninteractive
    if [ ! -e /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster = false' /etc/postgresql-common/createcluster.conf; then
        $sudo mkdir -p /etc/postgresql-common
        echo 'create_main_cluster = false' | $sudo tee -a /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

up() {
    if [ -n "${DATABASE_URL:-}" ]; then log "DATABASE_URL is set: using that server"; return 0; fi
    install_deps
    local d; d="$(data_dir)"
    mkdir -p "$d"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$d"; chmod 0700 "$d"; fi
    if [ ! -f "$d/data/PG_VERSION" ]; then
        log "initdb in $d/data"
        as_pg mkdir -p "$d/data" "$d/socket"
        as_pg "$PG_BIN/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$d/data/postgresql.conf" <<CONF
# steadfast: a throwaway server on a unix socket only
listen_addresses = ''
unix_socket_directories = '$d/socket'
port = $PG_PORT
max_connections = 400
shared_buffers = 256MB
fsync = ${STEADFAST_PG_FSYNC:-off}
synchronous_commit = ${STEADFAST_PG_SYNC_COMMIT:-off}
full_page_writes = ${STEADFAST_PG_FSYNC:-off}
shared_preload_libraries = 'pg_stat_statements'
log_min_messages = warning
CONF
    fi
    as_pg mkdir -p "$d/socket"
    if as_pg "$PG_BIN/pg_ctl" -D "$d/data" status >/dev/null 2>&1; then
        log "already running ($d)"
    else
        as_pg "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
            || { cat "$d/server.log" >&2; exit 1; }
        log "started ($d)"
    fi
    if ! as_pg "$PG_BIN/psql" -h "$d/socket" -p "$PG_PORT" -U postgres -d postgres -tAc \
            "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
        as_pg "$PG_BIN/createdb" -h "$d/socket" -p "$PG_PORT" -U postgres "$DB_NAME"
    fi
}

down() {
    if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
    local d; d="$(data_dir)"
    if [ -f "$d/data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$d/data" status >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
        log "stopped"
    fi
}

clean() { down; rm -rf "$(data_dir)"; }

case "${1:-}" in
    up) up ;;
    down) down ;;
    url) if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; else url; fi ;;
    clean) clean ;;
    install) install_deps ;;
    *) echo "usage: $0 up|down|url|clean|install" >&2; exit 2 ;;
esac
