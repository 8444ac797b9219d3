#!/usr/bin/env bash
# `make bench`: build the benchmark in release mode, start a PostgreSQL of its own with durable
# settings (fsync, synchronous_commit and full_page_writes on — durability is the point) in
# .pgdata-bench/, run every phase, print the table, write dist/bench.json, stop the server.
# BENCH_DATABASE_URL runs it against another server instead (which should be durable too).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh
unset DATABASE_URL

echo "== building steadfast-bench (release)"
swift build -c release --product steadfast-bench 2>&1 | tail -1
bench="$(swift build -c release --show-bin-path)/steadfast-bench"

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export DATABASE_URL="$BENCH_DATABASE_URL"
else
    export STEADFAST_PGDATA="$here/.pgdata-bench" STEADFAST_PG_FSYNC=on STEADFAST_PG_SYNC_COMMIT=on \
           STEADFAST_DB_NAME=steadfast_bench
    started=""
    if ! scripts/db.sh url >/dev/null || ! psql "$(scripts/db.sh url)" -Xqc 'select 1' >/dev/null 2>&1; then started=1; fi
    scripts/db.sh up
    if [ -n "$started" ]; then trap 'env -u DATABASE_URL scripts/db.sh down' EXIT; fi
    admin="$(scripts/db.sh url | sed 's|/steadfast_bench?|/postgres?|')"
    psql "$admin" -Xq -c 'drop database if exists steadfast_bench with (force)' -c 'create database steadfast_bench'
    export DATABASE_URL="$(scripts/db.sh url)"
    echo "== server settings: $(psql "$DATABASE_URL" -XAtc "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')")"
fi
mkdir -p dist
"$bench" run --json dist/bench.json
