#!/usr/bin/env bash
# A drain alone, for comparing two schemas side by side (BENCHMARKS.md, "The drain's
# statements, again"): enqueues N three-step workflows (bench.noop) with start_workflows, runs
# the bench's worker on them with CONCURRENCY slots until all succeeded, and prints the rate,
# the machine's CPU time per workflow (every process, from /proc/stat: less noisy than the
# rate, which the other processes' share of the cores sets) and the worker's own share.
#
#   scripts/bench-drain.sh [N=20000] [CONCURRENCY=64]
#   STATEMENTS=1 scripts/bench-drain.sh …   also prints the statements that took the server's
#                                           time, nested ones included (pg_stat_statements)
#
# Runs against the durable server of `make bench` (.pgdata-bench, started if needed, left
# running) and the schema installed there: install another one with
# `psql "$URL" -f steadfast.sql` (scripts/bundle.sh of another checkout) to compare.
# BENCH_DATABASE_URL runs it against another server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh
unset DATABASE_URL
n="${1:-20000}"
concurrency="${2:-64}"
[ $((n % 10000)) = 0 ] || { echo "bench-drain: N must be a multiple of 10,000" >&2; exit 2; }

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    url="$BENCH_DATABASE_URL"
else
    export STEADFAST_PGDATA="$here/.pgdata-bench" STEADFAST_PG_FSYNC=on STEADFAST_PG_SYNC_COMMIT=on \
           STEADFAST_DB_NAME=steadfast_bench
    scripts/db.sh up
    url="$(scripts/db.sh url)"
fi
swift build -c release --product steadfast-bench 2>&1 | tail -1
bench="$(swift build -c release --show-bin-path)/steadfast-bench"
sql() { psql "$url" -XAtq -v ON_ERROR_STOP=1 "$@"; }
if ! sql -c "select steadfast.schema_version()" >/dev/null 2>&1; then
    scripts/bundle.sh | sql -f - >/dev/null
fi

queue="drain_$(date +%s)_$$"
sql -c "select steadfast.create_queue('$queue')" >/dev/null
for _ in $(seq 1 $((n / 10000))); do
    sql -c "select count(*) from steadfast.start_workflows(
              (select jsonb_agg(jsonb_build_object('name', 'bench.noop', 'input', jsonb_build_object('n', g)))
               from generate_series(1, 10000) g), '{\"queue\": \"$queue\"}')" >/dev/null
done
sql -c "vacuum analyze steadfast.workflows" >/dev/null
if [ -n "${STATEMENTS:-}" ]; then
    sql -c "alter database $(sql -c 'select current_database()') set pg_stat_statements.track = 'all'" \
        -c "select pg_stat_statements_reset()" >/dev/null
fi

busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
before="$(busy)"
DATABASE_URL="$url" "$bench" worker "$queue" "$concurrency" 0 8 >/dev/null &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT
while [ "$(sql -c "select count(*) from steadfast.workflows where queue = '$queue' and status <> 'succeeded'")" != 0 ]; do
    sleep 0.5
done
worker_ticks="$(awk '{print $14 + $15}' "/proc/$worker/stat")"
after="$(busy)"
kill "$worker"; wait "$worker" 2>/dev/null || true
ticks="$(getconf CLK_TCK)"
sql -c "select round($n / extract(epoch from max(completed_at) - min(started_at))::numeric) || ' workflows/s, '
               || round(($after - $before) * 1e6 / $ticks / $n) || ' µs CPU per workflow (worker '
               || round($worker_ticks * 1e6 / $ticks / $n) || ' µs)'
        from steadfast.workflows where queue = '$queue'"
if [ -n "${STATEMENTS:-}" ]; then
    sql -c "alter database $(sql -c 'select current_database()') reset pg_stat_statements.track" >/dev/null
    psql "$url" -X -c "select calls, round(total_exec_time::numeric) as ms,
                              round((total_exec_time * 1000 / $n)::numeric, 1) as \"µs per workflow\",
                              left(regexp_replace(query, '\s+', ' ', 'g'), 100) as statement
                       from pg_stat_statements where query like '%steadfast%' and calls >= $((n / 100))
                       order by total_exec_time desc limit 25"
fi
