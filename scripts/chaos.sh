#!/usr/bin/env bash
# `make chaos`: the fault-injection suite. Not part of `make test`.
#
# What it does: builds the test worker (Tests/SteadfastTestWorker, debug); starts a PostgreSQL
# primary and a synchronous streaming standby of its own in a temp directory (unix sockets
# only, free ports; the project's .pgdata server is not touched); installs the engine and the
# evidence schema (Tests/chaos/schema.sql); runs CHAOS_WORKERS worker processes that reach the
# database through a multi-host conninfo (primary, standby; target_session_attrs=read-write),
# restarting any that dies; starts CHAOS_WORKFLOWS ChaosWorkflow workflows (5 steps, s3 a
# transaction step) in waves while it injects, on a seeded random schedule, one fault every
# 2–5 s:
#   kill               SIGKILL of a random worker (restarted ~0.75 s later, new executor id)
#   stop               SIGSTOP of a worker for 5 s (past its 3 s lease), then SIGCONT
#   freeze             a workflow started with "freeze": true writes its worker's pid inside
#                      its transaction step; that worker is SIGSTOPped for ~10 s, then SIGCONT
#   restart_fast       pg_ctl restart -m fast of the primary
#   restart_immediate  pg_ctl restart -m immediate of the primary
#   outage             the primary stopped (-m fast) for 3–8 s, then started
#   failover           the last database fault: the primary stopped -m immediate (never started
#                      again), the standby promoted; workers must find it through the conninfo
# then waits for every workflow to finish (bounded), stops the workers with SIGTERM, and runs
# Tests/chaos/checks.sql against the surviving server. Everything it started (workers, both
# servers, the temp directory) is stopped and removed on exit, Ctrl-C included.
#
# Knobs (environment):
#   CHAOS_SEED=1            the fault schedule's seed (bash RANDOM): same seed, same schedule
#   CHAOS_WORKFLOWS=2000    workflows started in waves (plus the frozen one)
#   CHAOS_WAVES=40          how many waves they are started in, spread over the schedule
#   CHAOS_KILLS=30          SIGKILLs of a worker
#   CHAOS_STOPS=2           SIGSTOPs of a worker (5 s each)
#   CHAOS_OUTAGES=3         primary outages of 3–8 s
#   CHAOS_WORKERS=3         worker processes
#   CHAOS_CONCURRENCY=20    workflows at once per worker (SF_CONCURRENCY)
#   CHAOS_STEP_MS=2000      a plain step's longest random pause (SF_CHAOS_STEP_MS)
#   CHAOS_DRAIN_SECONDS=300 how long to wait for the last workflows after the schedule
#   CHAOS_FSYNC=off         fsync of both servers (see the comment in start_cluster)
#
# Reading the result: a table of invariants (value, expected, ok/FAIL), then figures (counts,
# faults by kind, takeover p50/p99/max after worker faults, seed, durations). The same goes to
# dist/chaos.json. Exit status 0 when every invariant holds; 1 when one fails or the run hit a
# bound (a workflow start that never got through, the drain timeout). Worker stderr/stdout and
# both servers' logs stay in dist/chaos-logs/ (faults.tsv: the faults as they happened).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh
unset DATABASE_URL PGHOST PGPORT PGDATABASE PGUSER PGSERVICE

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
SEED="${CHAOS_SEED:-1}"
WORKFLOWS="${CHAOS_WORKFLOWS:-2000}"
WAVES="${CHAOS_WAVES:-40}"
KILLS="${CHAOS_KILLS:-30}"
STOPS="${CHAOS_STOPS:-2}"
OUTAGES="${CHAOS_OUTAGES:-3}"
WORKERS="${CHAOS_WORKERS:-3}"
CONCURRENCY="${CHAOS_CONCURRENCY:-20}"
STEP_MS="${CHAOS_STEP_MS:-2000}"
DRAIN_SECONDS="${CHAOS_DRAIN_SECONDS:-300}"
FSYNC="${CHAOS_FSYNC:-off}"
LEASE_SECONDS=3
STOP_MS=5000          # a SIGSTOP: past the 3 s lease
FREEZE_MS=10000       # the frozen transaction step: well past the lease
RESTART_DELAY_MS=750  # a dead worker is started again after this
FREEZE_ID="chaos-freeze"
DB=steadfast_chaos

logdir="$here/dist/chaos-logs"
json_out="$here/dist/chaos.json"

# ---------------------------------------------------------------------------------------------
# Clock and output

NOW=0
tick_now() { NOW=$(( ${EPOCHREALTIME/./} / 1000 )); }   # milliseconds since the epoch
tick_now; T_SCRIPT=$NOW; T0=$NOW
elapsed() { tick_now; printf '%6.1fs' "$(( NOW - T0 ))e-3"; }
say() { echo "[$(elapsed)] $*"; }
die() { echo "chaos: $*" >&2; exit 1; }
ts() { printf '%d.%03d' "$(( $1 / 1000 ))" "$(( $1 % 1000 ))"; }   # ms → epoch seconds text

as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# ---------------------------------------------------------------------------------------------
# Cleanup: everything this script started, whatever the way out.

tmp=""
declare -a wpid=() wkilled=() wrestart_at=() wgen=() wrow=()
declare -a bg_pids=()      # pg_ctl runs in the background (see run_ticking)
frozen_pid=""; stopped_pid=""
cleaned=""

cleanup() {
    local rc=$?
    [ -n "$cleaned" ] && return
    cleaned=1
    trap - INT TERM
    local p
    for p in "${bg_pids[@]}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
    # Workers: continue the stopped ones, then kill them all.
    for p in "${wpid[@]}" $frozen_pid $stopped_pid; do
        [ -n "$p" ] || continue
        kill -CONT "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
    done
    for p in "${wpid[@]}" $frozen_pid $stopped_pid; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        local d
        for d in "$tmp/primary" "$tmp/standby"; do
            if [ -f "$d/postmaster.pid" ]; then
                if ! as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1; then
                    # still there: kill the postmaster by its pid
                    p="$(head -1 "$d/postmaster.pid" 2>/dev/null || true)"
                    [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
                fi
            fi
        done
        mkdir -p "$logdir"
        cp "$tmp"/*.log "$logdir/" 2>/dev/null || true
        rm -rf "$tmp"
    fi
    if [ "$rc" -ne 0 ]; then echo "chaos: exit $rc (logs in dist/chaos-logs/)" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
# bash reports each SIGKILLed worker ("line N: PID Killed   DATABASE_URL=… SteadfastTestWorker"):
# those kills are ours and are logged already. The filter ignores Ctrl-C so that the cleanup's
# own messages still get through.
exec 2> >(trap '' INT TERM; exec grep --line-buffered -v -E ': line [0-9]+: +[0-9]+ Killed +DATABASE_URL=' >&2)
trap 'echo; echo "chaos: interrupted" >&2; exit 130' INT
trap 'echo "chaos: terminated" >&2; exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Dependencies and the build

echo "== chaos: seed $SEED, $WORKFLOWS workflows in $WAVES waves, $WORKERS workers × $CONCURRENCY, step pause ≤ $STEP_MS ms"
scripts/db.sh install   # the same apt packages as `make test`; installs only what is missing
echo "== building SteadfastTestWorker (debug)"
tick_now; t_build=$NOW
swift build --product SteadfastTestWorker 2>&1 | tail -1
bin="$(swift build --show-bin-path)/SteadfastTestWorker"
[ -x "$bin" ] || die "no worker binary at $bin"
tick_now; build_ms=$(( NOW - t_build ))

rm -rf "$logdir"; mkdir -p "$logdir"
rm -f "$json_out"

# ---------------------------------------------------------------------------------------------
# The cluster: a primary and a synchronous standby

free_port() {
    local p i
    for i in $(seq 1 200); do
        p="$(shuf -i 20000-60000 -n 1)"
        [ "$p" = "${1:-}" ] && continue
        if [ -z "$(ss -Hlnt "sport = :$p" 2>/dev/null)" ] \
           && [ ! -e "/tmp/.s.PGSQL.$p" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$p" ]; then
            echo "$p"; return
        fi
    done
    die "no free port"
}

tmp="$(mktemp -d /tmp/steadfast-chaos.XXXX)"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$tmp"; fi
chmod 0755 "$tmp"
PA="$(free_port)"; PB="$(free_port "$PA")"
SA="$tmp/sa"; SB="$tmp/sb"
chaos_dir="$tmp/chaos"
# The workers' (this user's): the frozen step writes its pid here, the steps outside the
# database their evidence (effects-<pid>.tsv).
mkdir -p "$chaos_dir"
as_pg mkdir -p "$SA" "$SB"
PRIMARY_URL="host=$SA port=$PA dbname=$DB user=postgres"
STANDBY_URL="host=$SB port=$PB dbname=$DB user=postgres"
URL="host=$SA,$SB port=$PA,$PB dbname=$DB user=postgres target_session_attrs=read-write"

pgctl() { as_pg "$PG_BIN/pg_ctl" "$@"; }
# psql for the driver's own queries: bounded, so an outage never hangs the driver.
q() { PGCONNECT_TIMEOUT=3 timeout 30 psql -X -q -At -v ON_ERROR_STOP=1 -d "$URL" "$@"; }
# … whose errors (expected during outages) go to dist/chaos-logs/driver-psql.log.
qlog() { PGCONNECT_TIMEOUT=3 timeout 30 psql -X -q -At -v ON_ERROR_STOP=1 -d "$URL" "$@" 2>>"$logdir/driver-psql.log"; }

start_cluster() {
    say "initdb: primary on $SA:$PA, standby on $SB:$PB"
    as_pg "$PG_BIN/initdb" -D "$tmp/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # fsync: off by default. The faults here are process faults — SIGKILL, pg_ctl -m immediate
    # — not operating-system crashes: what a server wrote survives in the OS page cache, so
    # fsync changes nothing these faults can observe, while on this machine's disk an
    # fdatasync costs ~4 ms, paid by both servers on every synchronous commit. Durability
    # across the failover comes from synchronous replication (a commit is acknowledged once
    # the standby has it), which fsync=off does not weaken for process faults.
    # CHAOS_FSYNC=on turns it back on.
    as_pg tee -a "$tmp/primary/postgresql.conf" >/dev/null <<CONF
# steadfast chaos: primary
listen_addresses = ''
unix_socket_directories = '$SA'
port = $PA
max_connections = 200
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 5
synchronous_standby_names = 'standby'
synchronous_commit = on
fsync = $FSYNC
hot_standby = on
wal_retrieve_retry_interval = 500ms
log_line_prefix = '%m [%p] %a '
log_min_messages = warning
CONF
    pgctl -D "$tmp/primary" -l "$tmp/primary.log" -w -t 60 start >/dev/null \
        || { cat "$tmp/primary.log" >&2; die "the primary did not start"; }
    as_pg "$PG_BIN/pg_basebackup" -D "$tmp/standby" -R -X stream -c fast \
        -d "host=$SA port=$PA user=postgres application_name=standby"
    # The standby inherits the primary's postgresql.conf: give it its own socket and port. No
    # synchronous standby of its own: once promoted, nothing would ever acknowledge its commits.
    as_pg tee -a "$tmp/standby/postgresql.conf" >/dev/null <<CONF
# steadfast chaos: standby
unix_socket_directories = '$SB'
port = $PB
synchronous_standby_names = ''
CONF
    pgctl -D "$tmp/standby" -l "$tmp/standby.log" -w -t 60 start >/dev/null \
        || { cat "$tmp/standby.log" >&2; die "the standby did not start"; }
    local i state=""
    for i in $(seq 1 100); do
        state="$(psql -X -At -d "host=$SA port=$PA dbname=postgres user=postgres" \
                 -c "select sync_state from pg_stat_replication where application_name = 'standby'" 2>/dev/null || true)"
        [ "$state" = sync ] && break
        sleep 0.3
    done
    [ "$state" = sync ] || die "the standby is not a synchronous standby (sync_state '$state')"
    say "standby streaming, sync_state = sync"
    psql -X -q -d "host=$SA port=$PA dbname=postgres user=postgres" -c "create database $DB"
    scripts/bundle.sh | psql -X -q -At -v ON_ERROR_STOP=1 -d "$PRIMARY_URL" -f - >/dev/null
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$PRIMARY_URL" -f Tests/chaos/schema.sql
    say "engine installed (schema version $(q -c 'select steadfast.schema_version()')), evidence schema loaded"
}

# ---------------------------------------------------------------------------------------------
# Workers, and the supervisor that restarts them

declare -a r_slot=() r_gen=() r_pid=() r_out=() r_t0=() r_t1=() r_reason=() r_rc=()
gen=0
unexpected_exits=0

start_worker() {
    local slot=$1
    gen=$((gen + 1))
    local base="$logdir/worker-$slot-$(printf '%03d' "$gen")"
    DATABASE_URL="$URL" SF_CHAOS=1 SF_EFFECTS_TABLE=chaos.effects SF_CHAOS_DIR="$chaos_dir" \
        SF_CHAOS_STEP_MS="$STEP_MS" SF_LEASE_SECONDS="$LEASE_SECONDS" SF_CONCURRENCY="$CONCURRENCY" \
        SF_POLL_MS=200 SF_QUEUE=default \
        "$bin" >"$base.out" 2>"$base.log" &
    local pid=$!
    tick_now
    local row=${#r_pid[@]}
    r_slot[row]=$slot; r_gen[row]=$gen; r_pid[row]=$pid; r_out[row]="$base.out"; r_t0[row]=$NOW
    r_t1[row]=""; r_reason[row]=""; r_rc[row]=""
    wpid[slot]=$pid; wkilled[slot]=""; wrow[slot]=$row; wrestart_at[slot]=""
}

executor_of_row() { sed -n 's/^ready //p' "${r_out[$1]}" 2>/dev/null | head -1; }

alive() {   # running or stopped, not exited (bash reaps its children as they exit)
    kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]
}

supervise() {
    local slot pid rc row
    for slot in "${!wpid[@]}"; do
        pid="${wpid[slot]}"
        if [ -n "$pid" ] && ! alive "$pid"; then
            rc=0; wait "$pid" 2>/dev/null || rc=$?
            row=${wrow[slot]}
            tick_now
            r_t1[row]=$NOW; r_rc[row]=$rc
            if [ -n "${wkilled[slot]}" ]; then
                r_reason[row]=killed
            else
                r_reason[row]="unexpected exit"
                unexpected_exits=$((unexpected_exits + 1))
                say "worker $slot (pid $pid) exited by itself with status $rc: restarting it (log ${r_out[row]%.out}.log)"
            fi
            wpid[slot]=""
            wrestart_at[slot]=$(( NOW + RESTART_DELAY_MS ))
        fi
        if [ -z "${wpid[slot]}" ] && [ -n "${wrestart_at[slot]}" ] && [ -z "$shutting_down" ]; then
            tick_now
            if (( NOW >= wrestart_at[slot] )); then start_worker "$slot"; fi
        fi
    done
}

# ---------------------------------------------------------------------------------------------
# Load: waves of workflows, each started (and retried) until the database takes it

declare -a wave_first=() wave_count=() wave_done=() wave_due=()
wave_next_try=0
waves_started=0

wave_json() {   # workflows first..first+count-1 as a start_workflows array
    local first=$1 count=$2 i sep=""
    printf '['
    for (( i = first; i < first + count; i++ )); do
        printf '%s{"name":"ChaosWorkflow","workflow_id":"chaos-%06d","input":{"n":%d}}' "$sep" "$i" "$i"
        sep=","
    done
    printf ']'
}

try_wave() {   # try to start wave $1 once; 0 when it is started (idempotent on the ids)
    local w=$1
    if qlog -v batch="$(wave_json "${wave_first[w]}" "${wave_count[w]}")" >/dev/null \
           <<<"select count(*) from steadfast.start_workflows(:'batch'::jsonb)"; then
        wave_done[w]=1
        waves_started=$((waves_started + 1))
        return 0
    fi
    return 1
}

pull_next_wave() {   # make the next wave not yet started due now
    local w
    for w in "${!wave_due[@]}"; do
        if [ -z "${wave_done[w]}" ]; then wave_due[w]=$fault_index; return 0; fi
    done
}

start_due_waves() {
    local w
    tick_now
    (( NOW >= wave_next_try )) || return 0
    for w in "${!wave_due[@]}"; do
        [ -z "${wave_done[w]}" ] && [ "${wave_due[w]}" -le "$fault_index" ] || continue
        if ! try_wave "$w"; then
            tick_now; wave_next_try=$(( NOW + 1000 ))   # the database is down: retry in a second
            return 0
        fi
    done
}

# ---------------------------------------------------------------------------------------------
# Progress, and waiting while the supervisor and the waves keep going

next_progress=0
progress() {
    tick_now
    (( NOW >= next_progress )) || return 0
    next_progress=$(( NOW + 10000 ))
    local line s r e f
    if line="$(q -F ' ' -c "select count(*) filter (where status = 'succeeded'), count(*) filter (where status = 'running'),
                                  count(*) filter (where status = 'enqueued'), count(*) filter (where status in ('failed', 'dead'))
                           from steadfast.workflows" 2>/dev/null)"; then
        read -r s r e f <<<"$line"
        say "progress: waves $waves_started/$WAVES, succeeded $s, running $r, enqueued $e, failed/dead $f"
    else
        say "progress: database unreachable"
    fi
}

# Messages: every chaos workflow waits for one message on topic "go" (after its children). Sent
# only once it waits — so that the send wakes it — with an idempotency key, so that a send
# repeated after a lost answer, or to a workflow still seen waiting, stores nothing; a send that
# meets an outage is simply tried again at the next tick.
next_send=0
send_messages() {
    tick_now
    (( NOW >= next_send )) || return 0
    next_send=$(( NOW + 500 ))
    qlog <<'SQL' >/dev/null || true
do $send$
declare w record;
begin
    for w in select x.id, x.input from steadfast.workflows x
             where x.id like 'chaos-%' and x.status = 'waiting' and x.wait ->> 'kind' = 'message' loop
        begin
            perform steadfast.send_message(w.id, w.input -> 'n', '{"topic": "go", "idempotency_key": "go"}');
        exception when sqlstate 'SF004' then null;  -- finished meanwhile
        end;
    end loop;
end $send$;
SQL
}

shutting_down=""
tick() { supervise; start_due_waves; send_messages; progress; }

pause_ms() {   # wait $1 ms, ticking
    tick_now
    local until=$(( NOW + $1 ))
    while :; do
        tick
        tick_now
        (( NOW < until )) || break
        sleep 0.1
    done
}

run_ticking() {   # run a command in the background and tick until it ends; its status
    "$@" &
    local p=$! rc=0
    bg_pids+=("$p")
    while alive "$p"; do tick; sleep 0.1; done
    wait "$p" || rc=$?
    bg_pids=("${bg_pids[@]/$p}")
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Faults

declare -a f_kind=() f_target=() f_pid=() f_exec=() f_t0=() f_t1=() f_detail=()

record_fault() {   # kind target pid executor t0 t1 detail
    local i=${#f_kind[@]}
    f_kind[i]=$1; f_target[i]=$2; f_pid[i]=$3; f_exec[i]=$4; f_t0[i]=$5; f_t1[i]=$6; f_detail[i]=$7
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(ts "$5")" "$(ts "$6")" "$7" >>"$logdir/faults.tsv"
}

LIVE_SLOT=""
live_slot() {   # LIVE_SLOT: the slot $1 if its worker is alive, else the next one that is; waits for one
    local want=$1 i k slot
    for i in $(seq 1 100); do
        for (( k = 0; k < WORKERS; k++ )); do
            slot=$(( (want + k) % WORKERS ))
            if [ -n "${wpid[slot]}" ] && alive "${wpid[slot]}"; then LIVE_SLOT=$slot; return 0; fi
        done
        pause_ms 100
    done
    return 1
}

succeeded_now() { q -c "select count(*) from steadfast.workflows where status = 'succeeded'" 2>/dev/null || echo "?"; }

fault_kill() {
    local slot pid row ex
    live_slot "$1" || { say "kill: no live worker"; return 0; }
    slot=$LIVE_SLOT
    pid="${wpid[slot]}"; row="${wrow[slot]}"; ex="$(executor_of_row "$row")"
    wkilled[slot]=1
    tick_now; local t0=$NOW
    kill -KILL "$pid" 2>/dev/null || true
    say "kill     worker $slot pid $pid executor ${ex:-(not ready)}"
    record_fault kill "worker $slot" "$pid" "$ex" "$t0" "$t0" "SIGKILL; restarted after ${RESTART_DELAY_MS} ms"
}

fault_stop() {
    local slot pid row ex
    live_slot "$1" || { say "stop: no live worker"; return 0; }
    slot=$LIVE_SLOT
    pid="${wpid[slot]}"; row="${wrow[slot]}"; ex="$(executor_of_row "$row")"
    tick_now; local t0=$NOW
    stopped_pid=$pid
    kill -STOP "$pid" 2>/dev/null || true
    say "stop     worker $slot pid $pid executor ${ex:-(not ready)} for $((STOP_MS / 1000)) s"
    pause_ms "$STOP_MS"
    kill -CONT "$pid" 2>/dev/null || true
    stopped_pid=""
    tick_now
    record_fault stop "worker $slot" "$pid" "$ex" "$t0" "$NOW" "SIGSTOP for $((NOW - t0)) ms, then SIGCONT"
    say "cont     worker $slot pid $pid"
}

freeze_detail=""
fault_freeze() {
    local batch="[{\"name\": \"ChaosWorkflow\", \"workflow_id\": \"$FREEZE_ID\", \"input\": {\"n\": 0, \"freeze\": true}, \"options\": {\"priority\": -1}}]"
    local i started=""
    for i in $(seq 1 30); do
        if qlog -v batch="$batch" >/dev/null \
               <<<"select count(*) from steadfast.start_workflows(:'batch'::jsonb)"; then started=1; break; fi
        pause_ms 1000
    done
    [ -n "$started" ] || { say "freeze: could not start $FREEZE_ID"; return 0; }
    local file="$chaos_dir/freeze-$FREEZE_ID" pid=""
    say "freeze   started $FREEZE_ID, waiting for its transaction step"
    for i in $(seq 1 600); do
        if [ -s "$file" ]; then pid="$(tr -dc 0-9 <"$file")"; [ -n "$pid" ] && break; fi
        pause_ms 100
    done
    [ -n "$pid" ] || { say "freeze: $file never appeared (60 s)"; return 0; }
    local slot="" s ex=""
    for s in "${!wpid[@]}"; do if [ "${wpid[s]}" = "$pid" ]; then slot=$s; fi; done
    if [ -n "$slot" ]; then ex="$(executor_of_row "${wrow[slot]}")"; fi
    local before after
    tick_now; local t0=$NOW
    frozen_pid=$pid
    kill -STOP "$pid" 2>/dev/null || true
    say "freeze   worker ${slot:-?} pid $pid frozen inside the transaction step of $FREEZE_ID"
    pull_next_wave   # fresh work for the other workers during the window
    before="$(succeeded_now)"
    pause_ms "$FREEZE_MS"
    after="$(succeeded_now)"
    kill -CONT "$pid" 2>/dev/null || true
    frozen_pid=""
    tick_now
    freeze_detail="succeeded $before -> $after while frozen"
    say "thaw     worker ${slot:-?} pid $pid after $((NOW - t0)) ms; $freeze_detail"
    record_fault freeze "worker ${slot:-?}" "$pid" "$ex" "$t0" "$NOW" "SIGSTOP in the transaction step of $FREEZE_ID; $freeze_detail"
}

fault_restart() {   # fast | immediate
    local mode=$1
    tick_now; local t0=$NOW rc=0
    say "restart  primary -m $mode"
    run_ticking as_pg "$PG_BIN/pg_ctl" -D "$tmp/primary" -l "$tmp/primary.log" -m "$mode" -w -t 60 restart >/dev/null || rc=$?
    [ "$rc" = 0 ] || die "pg_ctl restart -m $mode failed ($rc)"
    tick_now
    say "restart  primary up after $((NOW - t0)) ms"
    record_fault "restart_$mode" primary "" "" "$t0" "$NOW" "pg_ctl restart -m $mode"
}

fault_outage() {   # duration ms
    local down_ms=$1 rc=0
    tick_now; local t0=$NOW
    say "outage   primary stopped (-m fast) for $((down_ms / 1000)).$(( down_ms % 1000 / 100 )) s"
    run_ticking as_pg "$PG_BIN/pg_ctl" -D "$tmp/primary" -m fast -w -t 60 stop >/dev/null || rc=$?
    [ "$rc" = 0 ] || die "pg_ctl stop failed ($rc)"
    pause_ms "$down_ms"
    run_ticking as_pg "$PG_BIN/pg_ctl" -D "$tmp/primary" -l "$tmp/primary.log" -w -t 60 start >/dev/null || rc=$?
    [ "$rc" = 0 ] || die "pg_ctl start failed ($rc)"
    tick_now
    say "outage   primary up again after $((NOW - t0)) ms"
    record_fault outage primary "" "" "$t0" "$NOW" "pg_ctl stop -m fast; down $((NOW - t0)) ms"
}

fault_failover() {
    local rc=0 i
    tick_now; local t0=$NOW
    say "failover primary stopped -m immediate; promoting the standby"
    run_ticking as_pg "$PG_BIN/pg_ctl" -D "$tmp/primary" -m immediate -w -t 60 stop >/dev/null || rc=$?
    [ "$rc" = 0 ] || die "pg_ctl stop -m immediate failed ($rc)"
    run_ticking as_pg "$PG_BIN/pg_ctl" -D "$tmp/standby" -w -t 60 promote >/dev/null || rc=$?
    [ "$rc" = 0 ] || die "pg_ctl promote failed ($rc)"
    for i in $(seq 1 100); do
        [ "$(psql -X -At -d "$STANDBY_URL" -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ] && break
        pause_ms 100
    done
    tick_now
    say "failover standby promoted after $((NOW - t0)) ms; the old primary stays down"
    record_fault failover "primary -> standby" "" "" "$t0" "$NOW" "pg_ctl stop -m immediate of the primary; pg_ctl promote of the standby"
}

# ---------------------------------------------------------------------------------------------
# The schedule, drawn from the seed before anything runs

declare -a ev_kind=() ev_arg=() ev_gap=()
build_schedule() {
    RANDOM=$SEED
    local tail_kills=$(( KILLS >= 20 ? 5 : KILLS / 4 ))
    local -a head=()
    local i j t
    for (( i = 0; i < KILLS - tail_kills; i++ )); do head+=(kill); done
    for (( i = 0; i < STOPS; i++ )); do head+=(stop); done
    for (( i = 0; i < OUTAGES; i++ )); do head+=(outage); done
    head+=(restart_fast restart_immediate freeze)
    for (( i = ${#head[@]} - 1; i > 0; i-- )); do   # Fisher–Yates
        j=$(( RANDOM % (i + 1) )); t=${head[i]}; head[i]=${head[j]}; head[j]=$t
    done
    local -a all=("${head[@]}" failover)
    for (( i = 0; i < tail_kills; i++ )); do all+=(kill); done
    for (( i = 0; i < ${#all[@]}; i++ )); do
        ev_kind[i]=${all[i]}
        case "${all[i]}" in
            kill|stop) ev_arg[i]=$(( RANDOM % WORKERS )) ;;
            outage) ev_arg[i]=$(( 3000 + RANDOM % 5001 )) ;;
            *) ev_arg[i]="" ;;
        esac
        ev_gap[i]=$(( 2000 + RANDOM % 3001 ))   # before this fault
    done
}

# ---------------------------------------------------------------------------------------------
# The run

start_cluster
build_schedule
nfaults=${#ev_kind[@]}
echo "== schedule (seed $SEED): $nfaults faults: ${ev_kind[*]}"

# Waves: wave w is started before fault floor(w * nfaults / WAVES), the last ones after the
# failover, so that every fault, the failover included, hits running work.
failover_index=0
per=$(( WORKFLOWS / WAVES )); extra=$(( WORKFLOWS % WAVES )); first=1
for (( w = 0; w < WAVES; w++ )); do
    c=$(( per + (w < extra ? 1 : 0) ))
    wave_first[w]=$first; wave_count[w]=$c; wave_done[w]=""; wave_due[w]=$(( w * nfaults / WAVES ))
    first=$(( first + c ))
done
# The last wave never before the failover (with few faults the spread alone may not ensure it;
# after the last fault, it is started before the drain).
for (( i = 0; i < nfaults; i++ )); do if [ "${ev_kind[i]}" = failover ]; then failover_index=$i; fi; done
if (( wave_due[WAVES - 1] <= failover_index )); then wave_due[WAVES - 1]=$(( failover_index + 1 )); fi

fault_index=0
for (( s = 0; s < WORKERS; s++ )); do start_worker "$s"; done
tick_now; t_ready=$(( NOW + 60000 ))
until [ "$(q -c 'select count(*) from steadfast.executors where stopped_at is null' 2>/dev/null || echo 0)" -ge "$WORKERS" ]; do
    tick_now; (( NOW < t_ready )) || die "the workers did not register within 60 s (see $logdir)"
    supervise; sleep 0.2
done
say "$WORKERS workers registered: $(for s in "${!wpid[@]}"; do printf '%s ' "$(executor_of_row "${wrow[s]}")"; done)"

tick_now; T_RUN=$NOW
for (( fault_index = 0; fault_index < nfaults; fault_index++ )); do
    start_due_waves
    pause_ms "${ev_gap[fault_index]}"
    case "${ev_kind[fault_index]}" in
        kill) fault_kill "${ev_arg[fault_index]}" ;;
        stop) fault_stop "${ev_arg[fault_index]}" ;;
        freeze) fault_freeze ;;
        restart_fast) fault_restart fast ;;
        restart_immediate) fault_restart immediate ;;
        outage) fault_outage "${ev_arg[fault_index]}" ;;
        failover) fault_failover ;;
    esac
done
tick_now; schedule_ms=$(( NOW - T_RUN ))
say "schedule done: ${#f_kind[@]} faults in $((schedule_ms / 1000)) s"

# Every wave started (bounded), then the drain.
bounds_hit=""
tick_now; t_limit=$(( NOW + 60000 ))
fault_index=$nfaults
while (( waves_started < WAVES )); do
    tick_now; (( NOW < t_limit )) || { bounds_hit="waves not started: $((WAVES - waves_started))"; break; }
    wave_next_try=0; pause_ms 500
done
say "draining (at most $DRAIN_SECONDS s)"
tick_now; t_drain=$NOW; t_limit=$(( NOW + DRAIN_SECONDS * 1000 ))
while :; do
    left="$(q -c "select count(*) from steadfast.workflows where status in ('enqueued', 'running', 'waiting')" 2>/dev/null || echo "?")"
    [ "$left" = 0 ] && break
    tick_now; (( NOW < t_limit )) || { bounds_hit="${bounds_hit:+$bounds_hit; }drain timeout with $left workflows unfinished"; break; }
    pause_ms 1000
done
tick_now; drain_ms=$(( NOW - t_drain ))
say "drained in $((drain_ms / 1000)) s${bounds_hit:+ ($bounds_hit)}"

# Stop the workers gracefully (SIGTERM hands their workflows back).
shutting_down=1
not_graceful=0
for s in "${!wpid[@]}"; do
    p="${wpid[s]}"; [ -n "$p" ] || continue
    kill -CONT "$p" 2>/dev/null || true
    kill -TERM "$p" 2>/dev/null || true
done
for s in "${!wpid[@]}"; do
    p="${wpid[s]}"; [ -n "$p" ] || continue
    row=${wrow[s]}
    for i in $(seq 1 150); do alive "$p" || break; sleep 0.1; done
    if alive "$p"; then
        kill -KILL "$p" 2>/dev/null || true; not_graceful=$((not_graceful + 1)); r_reason[row]="sigkill at shutdown"
        say "worker $s (pid $p) ignored SIGTERM for 15 s: killed"
    else
        r_reason[row]=sigterm
    fi
    rc=0; wait "$p" 2>/dev/null || rc=$?
    tick_now; r_t1[row]=$NOW; r_rc[row]=$rc
    wpid[s]=""
done
say "workers stopped"

# ---------------------------------------------------------------------------------------------
# The record, the checks, the report

# The evidence of the steps outside the database (s4, s5), kept in files by the workers.
cat "$chaos_dir"/effects-*.tsv 2>/dev/null >"$logdir/effects-outside.tsv" || true
q <<SQL
create temporary table outside (workflow_id text, step text, attempt integer, pid integer, at double precision);
\\copy outside from '$logdir/effects-outside.tsv'
insert into chaos.effects (workflow_id, step, attempt, pid, at)
select workflow_id, step, attempt, pid, to_timestamp(at) from outside;
SQL

sqlq() { local v=${1//\'/\'\'}; if [ -z "$1" ]; then printf 'null'; else printf "'%s'" "$v"; fi; }
{
    echo "begin;"
    for i in "${!f_kind[@]}"; do
        printf "insert into chaos.faults values (%d, %s, %s, %s, %s, to_timestamp(%s), to_timestamp(%s), %s);\n" \
            "$((i + 1))" "$(sqlq "${f_kind[i]}")" "$(sqlq "${f_target[i]}")" "${f_pid[i]:-null}" "$(sqlq "${f_exec[i]}")" \
            "$(ts "${f_t0[i]}")" "$(ts "${f_t1[i]}")" "$(sqlq "${f_detail[i]}")"
    done
    for i in "${!r_pid[@]}"; do
        printf "insert into chaos.workers values (%d, %d, %d, %s, to_timestamp(%s), %s, %s, %s);\n" \
            "${r_slot[i]}" "${r_gen[i]}" "${r_pid[i]}" "$(sqlq "$(executor_of_row "$i")")" "$(ts "${r_t0[i]}")" \
            "$( [ -n "${r_t1[i]}" ] && printf 'to_timestamp(%s)' "$(ts "${r_t1[i]}")" || printf null)" \
            "$(sqlq "${r_reason[i]}")" "${r_rc[i]:-null}"
    done
    echo "commit;"
} >"$logdir/record.sql"
q -f "$logdir/record.sql"

tick_now; total_ms=$(( NOW - T_SCRIPT ))
run_json="$(printf '{"seed": %d, "workers": %d, "concurrency": %d, "step_ms": %d, "fsync": "%s", "worker processes started": %d, "workers that exited by themselves": %d, "workers killed at shutdown": %d, "build s": %.1f, "schedule s": %.1f, "drain s": %.1f, "total s": %.1f, "bounds hit": %s}' \
    "$SEED" "$WORKERS" "$CONCURRENCY" "$STEP_MS" "$FSYNC" "${#r_pid[@]}" "$unexpected_exits" "$not_graceful" \
    "${build_ms}e-3" "${schedule_ms}e-3" "${drain_ms}e-3" "${total_ms}e-3" \
    "$( [ -n "$bounds_hit" ] && printf '"%s"' "$bounds_hit" || printf null)")"

q -v expected_workflows="$((WORKFLOWS + 1))" -v kills="$KILLS" -v stops="$STOPS" -v outages="$OUTAGES" \
  -v freeze_id="$FREEZE_ID" -v run="$run_json" -v json_out="$json_out" -P format=aligned -P tuples_only=off \
  -f Tests/chaos/checks.sql
failed="$(q -c 'select count(*) from chaos.results where not ok')"
echo
echo "report: dist/chaos.json; logs: dist/chaos-logs/"
if [ "$failed" != 0 ] || [ -n "$bounds_hit" ]; then
    echo "== chaos: FAILED ($failed invariant(s) failed${bounds_hit:+; $bounds_hit}; seed $SEED, $((total_ms / 1000)) s)"
    exit 1
fi
echo "== chaos: ok (seed $SEED, $((total_ms / 1000)) s)"
