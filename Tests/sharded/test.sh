#!/usr/bin/env bash
# The sharded engine (sql/25_shards.sql) behind its PL/Proxy router (sql/96_router.sql), on four
# shards made by scripts/shards.sh, printed as TAP for prove:
#   1. the router has every public function of a shard, with the same arguments and result;
#   2. workflows started through the router each live on exactly one shard, shard_of(id, 4);
#      a tenant's ids ("tenant-K/…") share one;
#   3. every row of a workflow (steps, child, messages, events, streams) is on its shard;
#   4. list_workflows through the router pages exactly as one database with the same workflows;
#   5. an error keeps its SQLSTATE through the router;
#   6. a shard refuses, with SF005, a workflow or schedule that belongs on another;
#   7. start_workflows through the router: ordinals, ids, placement, one transaction;
#   8. fork_workflow through the router forks on the original's shard;
#   9. a schedule lives on one shard, and a tick through the router starts its occurrence once;
#  10. a role granted the client set through the router starts and reads, and nothing more;
#  11. list_queues and metrics through the router add up the shards;
#  12. record_batch through the router: split by shard, answered in the caller's order;
#  13. a start through the router inside a rolled-back block has committed on its shard (the limit);
#  14. a worker through the router registers on every shard and claims across them.
# Needs DATABASE_URL (any database of the server: it is the server used). Creates and drops its
# own databases: steadfast_tap_sharded_router and _shard_0…3 (scripts/shards.sh), and
# steadfast_tap_single (one database holding the same workflows, for comparison), and one role.
# Deterministic: the fake clock sets every time compared; nothing sleeps or waits.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"

source Tests/support/tap.sh
csort() { LC_ALL=C sort "$@"; }

if [ -z "${DATABASE_URL:-}" ]; then
    echo "Bail out! DATABASE_URL is not set: point it at a PostgreSQL server with postgresql-15-plproxy (e.g. export DATABASE_URL=\$(scripts/db.sh url) after scripts/db.sh up)"
    exit 1
fi
export STEADFAST_SHARDED_PREFIX=steadfast_tap_sharded
SHARDS=4
# The same server, another database (postgresql://…/NAME?… or postgresql:///NAME?…).
url_for() { printf '%s' "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\1$1#"; }
admin="$(url_for postgres)"
single_db=steadfast_tap_single
single="$(url_for "$single_db")"
role="steadfast_tap_role_$$"
tmp="$(mktemp -d)"

cleanup() {
    scripts/shards.sh drop >/dev/null 2>&1
    psql "$admin" -Xq -c "drop database if exists $single_db with (force)" >/dev/null 2>&1
    psql "$admin" -Xq -c "drop role if exists $role" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# q URL SQL… → the rows, unaligned, '|' between fields; each SQL a statement of one session.
q() { local url="$1"; shift; local a=(); for s in "$@"; do a+=(-c "$s"); done; psql "$url" -XAtq -v ON_ERROR_STOP=1 "${a[@]}"; }
# qf URL ← SQL on stdin (psql variables and meta-commands work there).
qf() { psql "$1" -XAtq -v ON_ERROR_STOP=1 -f - "${@:2}"; }
# sqlstate URL SQL → "ok", or the SQLSTATE of the error it raised.
sqlstate() {
    local out
    if out="$(psql "$1" -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -c "$2" 2>&1 >/dev/null)"; then echo ok; return; fi
    printf '%s\n' "$out" | sed -nE 's/^(psql:[^ ]* )?ERROR: +([0-9A-Z]{5}).*/\2/p' | head -1
}
# located WHERE → "shard|id" for every workflow matching WHERE (over steadfast.workflows w),
# on every shard, sorted by id.
located() {
    local k
    for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "select $k || '|' || w.id from steadfast.workflows w where $1"; done \
        | csort -t'|' -k2
}
# expected_shards IDS (one a line) → "shard|id" as shard_of computes it (in the single
# database, which is not a shard), sorted by id.
expected_shards() {
    { echo '\set ids `cat '"$tmp"'/ids`'
      echo "select steadfast.shard_of(i, $SHARDS) || '|' || i from pg_catalog.regexp_split_to_table(:'ids', E'\n') i where i <> ''"
    } > "$tmp/expected.sql"
    printf '%s\n' "$1" > "$tmp/ids"
    qf "$single" < "$tmp/expected.sql" | csort -t'|' -k2
}
shard_of() { q "$single" "select steadfast.shard_of('$1', $SHARDS)"; }

# ---------------------------------------------------------------------------------------------
# The cluster, and one database to compare with.
if ! scripts/shards.sh up $SHARDS >"$tmp/up.log" 2>&1; then
    diag "scripts/shards.sh up $SHARDS failed:" "$(cat "$tmp/up.log")"
    echo "Bail out! scripts/shards.sh up $SHARDS failed (the router could not be installed)"
    exit 1
fi
mapfile -t urls < <(scripts/shards.sh urls)
R="${urls[0]}"; S=("${urls[@]:1}")
if [ ${#S[@]} != $SHARDS ]; then echo "Bail out! scripts/shards.sh urls printed ${#S[@]} shards, not $SHARDS"; exit 1; fi
psql "$admin" -Xq -c "drop database if exists $single_db with (force)" -c "create database $single_db" >/dev/null 2>&1 \
    && scripts/bundle.sh | psql "$single" -Xq -At -v ON_ERROR_STOP=1 -f - >/dev/null \
    || { echo "Bail out! could not install the engine in $single_db"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. The router's public functions are a shard's.
signatures="select p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') → '
                   || pg_catalog.pg_get_function_result(p.oid)
            from pg_catalog.pg_proc p
            where p.pronamespace = 'steadfast'::regnamespace and p.proname !~ '^_' order by 1"
shard_signatures="$(q "${S[0]}" "$signatures")"
is "$(q "$R" "$signatures")" "$shard_signatures" \
   "the router has every public function of a shard ($(wc -l <<<"$shard_signatures")), same identity arguments and result, and no other"
for ((k = 1; k < SHARDS; k++)); do
    is "$(q "${S[$k]}" "$signatures")" "$shard_signatures" "shard $k has the same public functions as shard 0"
done
is "$(q "$R" "select shard || '/' || shards from steadfast.shard_identity()" | tr '\n' ' ')" "0/4 1/4 2/4 3/4 " \
   "shard_identity through the router: one row per shard"

# ---------------------------------------------------------------------------------------------
# 4. (First, while the cluster holds nothing else.) list_workflows through the router is the
#    single database's: the same workflows, started at the same fake times — several sharing
#    a created_at, so that the id breaks ties across shards — in the same order and pages.
{
    echo "select steadfast.set_fake_now('2031-01-01 00:00:00+00') is not null;"
    for i in $(seq 1 45); do
        case $((i % 3)) in 0) id="list-$i" ;; 1) id="acme/list-$i" ;; 2) id="zeta-$i" ;; esac
        name=X; [ $((i % 4)) = 0 ] && name=Y
        # Groups of four share a created_at; page boundaries (7) fall inside groups.
        [ $((i % 4)) = 1 ] && echo "select steadfast.set_fake_now(timestamptz '2031-01-01 00:00:00+00' + interval '1 second' * $((i / 4))) is not null;"
        echo "select created from steadfast.start_workflow('$id', '$name', '{\"i\": $i}');"
        [ $((i % 5)) = 0 ] && echo "select status from steadfast.cancel_workflow('$id');"
    done
    echo "select steadfast.set_fake_now(null) is null;"
} > "$tmp/list.sql"
list_router_out="$(qf "$R" < "$tmp/list.sql" 2>&1)"; rc_r=$?
list_single_out="$(qf "$single" < "$tmp/list.sql" 2>&1)"; rc_s=$?
is "$rc_r/$rc_s" "0/0" "the same 45 workflows start (and 9 are cancelled) at the same fake times through the router and in one database" \
    || diag "router: $(tail -3 <<<"$list_router_out")" "single: $(tail -3 <<<"$list_single_out")"
is "$list_router_out" "$list_single_out" "with the same results"
# pages URL BASE-OPTIONS → every page of list_workflows (limit 7, keyset on the last row).
pages() {
    local url="$1" base="$2" extra page last page_no=0
    extra='"limit": 7'
    while :; do
        page_no=$((page_no + 1))
        page="$(q "$url" "select workflow_id, status, name, pg_catalog.to_json(created_at) #>> '{}'
                          from steadfast.list_workflows('$base'::jsonb || '{$extra}'::jsonb)" 2>&1)" \
            || { echo "page $page_no: ERROR $page"; return; }
        echo "page $page_no:"; [ -n "$page" ] && printf '%s\n' "$page"
        [ -z "$page" ] || [ "$(wc -l <<<"$page")" -lt 7 ] && return
        [ $page_no -ge 50 ] && { echo "more than 50 pages"; return; }
        last="$(tail -1 <<<"$page")"
        extra="\"limit\": 7, \"before_id\": \"$(cut -d'|' -f1 <<<"$last")\", \"before_created_at\": \"$(cut -d'|' -f4 <<<"$last")\""
    done
}
for base in '{}' '{"status": "enqueued"}' '{"name": "X"}' '{"status": ["cancelled"], "name": "Y"}'; do
    want="$(pages "$single" "$base")"; got="$(pages "$R" "$base")"
    is "$got" "$want" "list_workflows($base) pages (limit 7, before_created_at + before_id) through the router as in one database ($(grep -c '^page' <<<"$want") pages, $(grep -vc '^page' <<<"$want") rows)"
done
all_cols='select workflow_id, name, status, queue, attempt, created_at, updated_at, priority from steadfast.list_workflows()'
is "$(q "$R" "$all_cols")" "$(q "$single" "$all_cols")" "list_workflows() without options (default limit): the same rows, every column compared"
is "$(q "$R" "select count(*) from steadfast.list_workflows('{\"limit\": 3}')")" 3 "the router keeps the caller's limit over all shards"

# ---------------------------------------------------------------------------------------------
# 2. Placement: ~200 workflows through the router — explicit ids, router-generated ids, tenants.
started="$(q "$R" "select w.workflow_id
                   from (select 'order-' || i as id from pg_catalog.generate_series(1, 80) i
                         union all select null from pg_catalog.generate_series(1, 40)
                         union all select 'tenant-' || (i % 8) || '/order-' || i from pg_catalog.generate_series(1, 80) i) ids
                   cross join lateral steadfast.start_workflow(ids.id, 'Placed', '{}') w" 2>&1)"
is "$(grep -c . <<<"$started")" 200 "200 workflows start through the router" || diag "$(head -5 <<<"$started")"
is "$(grep -vc -e '^order-' -e '^tenant-' <<<"$started" | tr -d ' ')/$(grep -v -e '^order-' -e '^tenant-' <<<"$started" | csort -u | grep -c .)" \
   "40/40" "the router gives each of the 40 null ids its own id"
placed="$(located "w.name = 'Placed'")"
is "$(cut -d'|' -f2 <<<"$placed")" "$(csort <<<"$started")" "each workflow exists on exactly one shard (200 rows over all shards, no id twice)"
is "$placed" "$(expected_shards "$started")" "each workflow's shard is steadfast.shard_of(id, 4)"
is "$(cut -d'|' -f1 <<<"$placed" | csort -u | tr '\n' ' ')" "0 1 2 3 " "the workflows are spread over all four shards"
tenant_shards="$(grep '|tenant-' <<<"$placed" | sed -E 's#^([0-9]+)\|(tenant-[0-9]+)/.*#\2 \1#' | csort -u)"
is "$(cut -d' ' -f1 <<<"$tenant_shards" | uniq -d)" "" "each tenant's workflows (tenant-K/…) are all on one shard"
is "$(tr ' ' '|' <<<"$tenant_shards" | awk -F'|' '{print $2 "|" $1}' | csort -t'|' -k2)" \
   "$(expected_shards "$(cut -d' ' -f1 <<<"$tenant_shards")")" "… the shard of the tenant's own key (shard_of('tenant-K', 4))"
printf '%s\n' "$started" > "$tmp/started"
is "$(qf "$R" <<SQL
\set ids \`cat $tmp/started\`
select pg_catalog.count(*) from pg_catalog.regexp_split_to_table(:'ids', E'\n') i
cross join lateral steadfast.get_workflow(i) g where g.workflow_id = i and g.name = 'Placed'
SQL
)" 200 "get_workflow through the router finds every one"

# ---------------------------------------------------------------------------------------------
# 3. One workflow's rows, all on its shard: run it directly on its shard (an executor is the
#    session that registered it), with a router call (send_message) from inside the run.
q "$R" "select name from steadfast.create_queue('tap_run')" >/dev/null
q "$R" "select created from steadfast.start_workflow('run-1', 'Parent', '{\"n\": 1}', '{\"queue\": \"tap_run\"}')" >/dev/null
home="$(shard_of run-1)"
run_out="$(qf "${S[$home]}" 2>&1 <<SQL
select executor_id from steadfast.register_executor('tap-exec', '{"queues": ["tap_run"]}');
select workflow_id as claimed, attempt from steadfast.claim_workflows('tap-exec', 1) \gset
\echo claimed :claimed :attempt
select step_key, seq from steadfast.record_step('run-1', :attempt, 'one', '1');
select step_key, seq from steadfast.record_step('run-1', :attempt, 'two', '2');
select child_id, created from steadfast.start_child_workflow('run-1', :attempt, 'spawn', 'Child', '{"c": 1}');
\! psql '$R' -XAtq -v ON_ERROR_STOP=1 -c "select 'sent ' || created from steadfast.send_message('run-1/spawn', '\"hi child\"')" -c "select 'sent ' || created from steadfast.send_message('run-1', '\"hi parent\"', '{\"topic\": \"t\"}')"
select step_key, recorded from steadfast.set_event('run-1', :attempt, 'publish', 'progress', '50');
select "offset", recorded from steadfast.write_stream('run-1', :attempt, 'emit', 'log', '"hello"');
select steadfast.complete_workflow('run-1', :attempt, '"done"') is not null as completed;
SQL
)"; rc=$?
is "$rc|$(tr '\n' ' ' <<<"$run_out")" \
   "0|tap-exec claimed run-1 1 one|1 two|2 run-1/spawn|t sent true sent true publish|t 0|t t " \
   "on its shard ($home) run-1 is claimed, records two steps, starts a child (run-1/spawn), is sent messages through the router, sets an event, writes a stream, completes"
family="w.id in ('run-1', 'run-1/spawn')"
rows_of() {  # shard → workflows|steps|messages|event_writes|stream_entries of run-1 and its child
    q "${S[$1]}" "select (select count(*) from steadfast.workflows w where $family)
                  || '|' || (select count(*) from steadfast.steps s where s.workflow_id in ('run-1', 'run-1/spawn'))
                  || '|' || (select count(*) from steadfast.messages m where m.workflow_id in ('run-1', 'run-1/spawn'))
                  || '|' || (select count(*) from steadfast.event_writes e where e.workflow_id in ('run-1', 'run-1/spawn'))
                  || '|' || (select count(*) from steadfast.stream_entries x where x.workflow_id in ('run-1', 'run-1/spawn'))"
}
got=""; want=""
for ((k = 0; k < SHARDS; k++)); do
    got+="shard $k: $(rows_of $k); "
    if [ $k = "$home" ]; then want+="shard $k: 2|5|2|1|1; "; else want+="shard $k: 0|0|0|0|0; "; fi
done
is "$got" "$want" "the workflow, its child, its 5 steps, 2 messages, event and stream entry are on its shard, nothing of them elsewhere (workflows|steps|messages|event_writes|stream_entries)"
is "$(q "$R" "select status || '|' || output::text || '|' || jsonb_array_length(steps) from steadfast.get_workflow('run-1')" \
           "select name || '|' || parent_id || '|' || parent_step || '|' || status from steadfast.get_workflow('run-1/spawn')" \
           "select count(*) from steadfast.list_steps('run-1')" \
           "select value from steadfast.get_event('run-1', 'progress')" \
           "select value from steadfast.read_stream('run-1', 'log')" | tr '\n' ' ')" \
   'succeeded|"done"|5 Child|run-1|spawn|enqueued 5 50 "hello" ' \
   "through the router: the workflow, its child, its steps, its event and its stream read back"

# ---------------------------------------------------------------------------------------------
# 5. Errors keep their SQLSTATE through the router.
is "$(sqlstate "$R" "select * from steadfast.get_workflow('no-such')")" SF001 "get_workflow('no-such') through the router: SF001"
is "$(sqlstate "$R" "select * from steadfast.start_workflow('bad-option', 'X', '{}', '{\"bogus\": 1}')")" SF005 \
   "start_workflow with an unknown option through the router: SF005"
is "$(sqlstate "$R" "select * from steadfast.start_workflow(null, 'X', '{}', '{\"priority\": \"high\"}')")" SF005 \
   "start_workflow with a bad option and a null id (the router's generated id): SF005"
is "$(sqlstate "$R" "select * from steadfast.start_workflow('order-1', 'Other', '{}')")" SF002 \
   "start_workflow with an id used by another name through the router: SF002"
is "$(sqlstate "$R" "select * from steadfast.list_workflows('{\"status\": \"bogus\"}')")" SF005 \
   "list_workflows (every shard) with an unknown status through the router: SF005"
is "$(located "w.id = 'bad-option'")" "" "the refused start created nothing"
is "$(sqlstate "$R" "select * from steadfast.get_workflow(null)")" "$(sqlstate "$single" "select * from steadfast.get_workflow(null)")" \
   "get_workflow(null) through the router: the SQLSTATE of one database (SF005)"

# ---------------------------------------------------------------------------------------------
# 6. A shard refuses what belongs on another (a call that bypassed the router).
misplaced=misplaced-1; right="$(shard_of $misplaced)"; wrong=$(((right + 1) % SHARDS))
is "$(sqlstate "${S[$wrong]}" "select * from steadfast.start_workflow('$misplaced', 'X', '{}')")" SF005 \
   "start_workflow('$misplaced') directly on shard $wrong (it belongs on $right): SF005"
is "$(sqlstate "${S[$wrong]}" "select * from steadfast.start_workflows('[{\"name\": \"X\", \"workflow_id\": \"$misplaced\"}]')")" SF005 \
   "start_workflows of it directly on shard $wrong: SF005"
is "$(located "w.id = '$misplaced'")" "" "… and it exists on no shard"
sname=tap-misplaced; sright="$(q "$single" "select steadfast.shard_of('schedule:$sname@', $SHARDS)")"; swrong=$(((sright + 1) % SHARDS))
is "$(sqlstate "${S[$swrong]}" "select * from steadfast.define_schedule('$sname', '0 3 * * *', 'Nightly')")" SF005 \
   "define_schedule('$sname') directly on shard $swrong (it belongs on $sright): SF005"
is "$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "select name from steadfast.schedules where name = '$sname'"; done)" "" \
   "… and it exists on no shard"

# ---------------------------------------------------------------------------------------------
# 7. start_workflows through the router: a batch spread over the shards.
elements=""; batch_ids=""
for i in $(seq 1 20); do
    if [ $((i % 5)) = 0 ]; then e="{\"name\": \"B\", \"input\": {\"i\": $i}}"
    else e="{\"name\": \"B\", \"workflow_id\": \"batch-$i\", \"input\": {\"i\": $i}}"; batch_ids+="batch-$i"$'\n'; fi
    elements+="${elements:+, }$e"
done
batch="$(q "$R" "select ordinal || '|' || workflow_id || '|' || created || '|' || status from steadfast.start_workflows('[$elements]')" 2>&1)"
is "$(cut -d'|' -f1 <<<"$batch" | tr '\n' ' ')" "$(seq 1 20 | tr '\n' ' ')" \
   "start_workflows of 20 through the router: one row per element, in order (ordinals 1…20, as on one database)"
sorted="$(csort -t'|' -k1,1n <<<"$batch")"
want=""; for i in $(seq 1 20); do [ $((i % 5)) = 0 ] || want+="$i|batch-$i|true|enqueued"$'\n'; done
is "$(grep -v -E '^(5|10|15|20)\|' <<<"$sorted")" "${want%$'\n'}" "each ordinal maps to its element's id, created and enqueued"
gen="$(grep -E '^(5|10|15|20)\|' <<<"$sorted" | cut -d'|' -f2)"
is "$(csort -u <<<"$gen" | grep -c .)|$(grep -E '^(5|10|15|20)\|' <<<"$sorted" | cut -d'|' -f3 | csort -u)" "4|true" \
   "the 4 elements without an id get one each, created"
batch_all="$(printf '%s%s' "$batch_ids" "$gen" | csort)"
is "$(located "w.name = 'B'")" "$(expected_shards "$batch_all")" "all 20 exist, each once, on its shard (shard_of)"
is "$(located "w.name = 'B'" | cut -d'|' -f1 | csort -u | wc -l | tr -d ' ')" 4 "the batch spanned every shard"
is "$(q "$R" "select ordinal || '|' || workflow_id || '|' || created from steadfast.start_workflows('[{\"name\": \"B\", \"workflow_id\": \"batch-3\"}, {\"name\": \"B\", \"workflow_id\": \"batch-1\"}, {\"name\": \"B\", \"workflow_id\": \"batch-2\"}]')" | tr '\n' ' ')" \
   "1|batch-3|false 2|batch-1|false 3|batch-2|false " "the same ids again: created false, in the caller's order"
# One transaction: an error in any element starts none (start_workflows' contract).
bad=""; for i in $(seq 1 12); do
    if [ $i = 9 ]; then bad+="${bad:+, }{\"name\": \"BB\", \"workflow_id\": \"bad-batch-$i\", \"options\": {\"bogus\": 1}}"
    else bad+="${bad:+, }{\"name\": \"BB\", \"workflow_id\": \"bad-batch-$i\"}"; fi
done
is "$(sqlstate "$R" "select * from steadfast.start_workflows('[$bad]')")" SF005 "a batch with a bad element 9 through the router: SF005"
is "$(psql "$R" -XAtq -c "select * from steadfast.start_workflows('[$bad]')" 2>&1 | grep -o 'start_workflows\[[0-9]*\]' | head -1)" \
   "$(psql "$single" -XAtq -c "select * from steadfast.start_workflows('[$bad]')" 2>&1 | grep -o 'start_workflows\[[0-9]*\]' | head -1)" \
   "… whose message names the element as one database does"
is "$(located "w.name = 'BB'")" "" "… and starts none of the batch, on any shard (one transaction, as on one database)"

# ---------------------------------------------------------------------------------------------
# 8. fork_workflow through the router: the fork lives on the original's shard.
fork="$(q "$R" "select workflow_id || '|' || created || '|' || forked_from || '|' || copied_steps from steadfast.fork_workflow('run-1', 1)" 2>&1)"
fork_id="$(cut -d'|' -f1 <<<"$fork")"
is "$(cut -d'|' -f2- <<<"$fork")" "true|run-1|0" "fork_workflow('run-1', 1) through the router creates a fork (no step copied)" || diag "$fork"
is "$(located "w.forked_from = 'run-1'")" "$home|$fork_id" "the fork ($fork_id) is on the original's shard ($home), and only there"
is "$(q "$R" "select forked_from || '|' || forked_at_step || '|' || status from steadfast.get_workflow('$fork_id')" 2>&1)" "run-1|1|enqueued" \
   "get_workflow(fork id) through the router finds it"
is "$(q "$R" "select workflow_id || '|' || created || '|' || copied_steps from steadfast.fork_workflow('run-1', 3, '{\"workflow_id\": \"run-1/refork\"}')" 2>&1)" \
   "run-1/refork|true|2" "a fork given its own id under the original's key (run-1/refork), from step 3: two steps copied"
is "$(located "w.id = 'run-1/refork'")" "$home|run-1/refork" "… on the original's shard"
# A fork given an id with another shard key cannot live with its original: refused, loudly.
for i in $(seq 1 50); do elsewhere="elsewhere-$i"; [ "$(shard_of $elsewhere)" != "$home" ] && break; done
is "$(sqlstate "$R" "select * from steadfast.fork_workflow('run-1', 1, '{\"workflow_id\": \"$elsewhere\"}')")" SF005 \
   "a fork given an id of another shard ($elsewhere) through the router: SF005"
is "$(located "w.id = '$elsewhere'")" "" "… and it exists on no shard"
is "$(q "$R" "select workflow_id from steadfast.list_workflows('{\"forked_from\": \"run-1\"}')" | csort | tr '\n' ' ')" \
   "$(printf '%s\n' "$fork_id" run-1/refork | csort | tr '\n' ' ')" "list_workflows(forked_from) through the router lists both forks"

# ---------------------------------------------------------------------------------------------
# 9. Schedules: defined through the router on one shard; ticks through the router start each
#    occurrence once, on the schedule's shard.
q "$R" "select steadfast.set_fake_now('2031-02-01 00:00:00+00')" >/dev/null
is "$(q "$R" "select name || '|' || created || '|' || (next_fire_at = '2031-02-01 03:00:00+00') from steadfast.define_schedule('tap-nightly', '0 3 * * *', 'Nightly')" 2>&1)" \
   "tap-nightly|true|true" "define_schedule through the router (next fire 03:00 by the fake clock)"
shome="$(q "$single" "select steadfast.shard_of('schedule:tap-nightly@', $SHARDS)")"
is "$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "select $k from steadfast.schedules where name = 'tap-nightly'"; done)" "$shome" \
   "the schedule is on exactly one shard, its occurrences' (shard_of('schedule:tap-nightly@…', 4) = $shome)"
is "$(q "$R" "select name || '|' || enabled from steadfast.list_schedules()")" "tap-nightly|true" "list_schedules through the router lists it once"
is "$(q "$R" "select name || '|' || present from steadfast.schedules_here(array['tap-nightly'])")" "tap-nightly|true" \
   "schedules_here through the router names it once, present"
q "$R" "select steadfast.set_fake_now('2031-02-01 03:00:30+00')" >/dev/null
is "$(q "$R" "select started || '|' || more from steadfast.tick_schedules()" "select started || '|' || more from steadfast.tick_schedules()" 2>&1 | tr '\n' ' ')" \
   "1|false 0|false " "tick_schedules twice through the router past the fire time: one start, then none"
occ='schedule:tap-nightly@2031-02-01T03:00:00Z'
is "$(located "w.id like 'schedule:tap-nightly@%'")" "$shome|$occ" "the occurrence ($occ) exists once, on the schedule's shard"
is "$(q "$R" "select name || '|' || status || '|' || (input ->> 'scheduled_at') from steadfast.get_workflow('$occ')" 2>&1)" \
   "Nightly|enqueued|2031-02-01T03:00:00Z" "get_workflow of the occurrence through the router finds it"
is "$(q "$R" "select last_workflow_id from steadfast.list_schedules()")" "$occ" "list_schedules through the router shows it as the last occurrence"
# A fork of an occurrence: on one database it gets a generated id; through the router its id,
# like any fork's, must keep the original's shard key.
single_fork="$(qf "$single" 2>&1 <<'SQL'
select steadfast.set_fake_now('2031-02-01 00:00:00+00') is not null;
select created from steadfast.define_schedule('tap-nightly', '0 3 * * *', 'Nightly');
select steadfast.set_fake_now('2031-02-01 03:00:30+00') is not null;
select started from steadfast.tick_schedules();
select created from steadfast.fork_workflow('schedule:tap-nightly@2031-02-01T03:00:00Z', 1);
select steadfast.set_fake_now(null) is null;
SQL
)"
is "$(tr '\n' ' ' <<<"$single_fork")" "t t t 1 t t " "(on one database, the same schedule's occurrence forks)"
ofork="$(q "$R" "select workflow_id || '|' || created from steadfast.fork_workflow('$occ', 1)" 2>&1)"
is "$(cut -d'|' -f2 <<<"$ofork")" "true" "fork_workflow of the occurrence through the router creates a fork, as on one database"
is "$(located "w.forked_from = '$occ'" | cut -d'|' -f1)" "$shome" "… on the schedule's shard"
q "$R" "select steadfast.set_fake_now(null)" >/dev/null

# ---------------------------------------------------------------------------------------------
# 10. Roles: a client role through the router (PL/Proxy connects to the shards as that role).
q "$admin" "create role $role login" >/dev/null
is "$(q "$R" "select count(*) > 0 from steadfast.grant_client('$role')" 2>&1)" t "grant_client through the router"
is "$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "select has_function_privilege('$role', 'steadfast.start_workflow(text,text,jsonb,jsonb)', 'execute')"; done | tr '\n' ' ')" \
   "t t t t " "… granted on every shard"
is "$(q "$R" "set role $role" "select status || '|' || created from steadfast.start_workflow('role-1', 'R', '{}')" \
             "select status || '|' || name from steadfast.get_workflow('role-1')" \
             "select count(*) > 0 from steadfast.list_workflows('{\"name\": \"R\"}')" 2>&1 | tr '\n' ' ')" \
   "enqueued|true enqueued|R t " "as the role, through the router: start_workflow, get_workflow, list_workflows"
is "$(located "w.id = 'role-1'")" "$(shard_of role-1)|role-1" "… the workflow is on its shard"
is "$(q "$R" "set role $role" "select created from steadfast.start_workflow('role-2', 'R', '{}')" "reset role" \
           "select distinct usename || '|' || datname from pg_stat_activity
            where datname = '${STEADFAST_SHARDED_PREFIX}_shard_$(shard_of role-2)' and pid <> pg_backend_pid() and usename = '$role'" 2>&1 | tr '\n' ' ')" \
   "t $role|${STEADFAST_SHARDED_PREFIX}_shard_$(shard_of role-2) " "PL/Proxy connected to the workflow's shard as the role itself"
is "$(sqlstate "$R" "set role $role; select steadfast.set_settings('{}')")" 42501 "as the role: set_settings (owner only) is 42501"
is "$(sqlstate "$R" "set role $role; select * from steadfast.prune_workflows('1 day')")" 42501 "as the role: prune_workflows (owner only) is 42501"
is "$(sqlstate "$R" "set role $role; select * from steadfast.claim_workflows('x', 1)")" 42501 "as the role: claim_workflows (worker set) is 42501"

# ---------------------------------------------------------------------------------------------
# 11. list_queues and metrics through the router add up every shard.
q "$R" "select name from steadfast.create_queue('tap_count')" >/dev/null
q "$R" "select count(*) from pg_catalog.generate_series(1, 24) i
        cross join lateral steadfast.start_workflow('count-' || i, 'Counted', '{}', '{\"queue\": \"tap_count\"}')" >/dev/null
is "$(located "w.queue = 'tap_count'" | cut -d'|' -f1 | csort -u | wc -l | tr -d ' ')" 4 "24 workflows in queue tap_count, over every shard"
is "$(q "$R" "select enqueued || '|' || delayed || '|' || running || '|' || waiting from steadfast.list_queues() where queue = 'tap_count'")" \
   "24|0|0|0" "list_queues through the router: tap_count has 24 enqueued (every one started)"
counts='select queue || $$|$$ || enqueued || $$|$$ || delayed || $$|$$ || running || $$|$$ || waiting from steadfast.list_queues()'
summed="$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "$counts"; done \
          | awk -F'|' '{e[$1]+=$2; d[$1]+=$3; r[$1]+=$4; w[$1]+=$5} END {for (x in e) print x "|" e[x] "|" d[x] "|" r[x] "|" w[x]}' | csort)"
is "$(q "$R" "$counts" | csort)" "$summed" "list_queues through the router: every queue's counts are the sums of the shards'"
total="$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "select count(*) from steadfast.workflows where status = 'enqueued'"; done | awk '{s+=$1} END {print s}')"
is "$(q "$R" "select sum(enqueued) from steadfast.list_queues()")" "$total" "… and their enqueued add up to every enqueued workflow of every shard ($total)"
is "$(q "$R" "select metric || '|' || coalesce(label, '') || '|' || value from steadfast.metrics()
             where queue = 'tap_count' and metric in ('steadfast_workflows', 'steadfast_workflows_ready') order by metric")" \
   "steadfast_workflows|enqueued|24
steadfast_workflows_ready||24" "metrics through the router: tap_count has 24 workflows enqueued, 24 ready"
msum='select metric || $$|$$ || coalesce(queue, $$$$) || $$|$$ || coalesce(label, $$$$) || $$|$$ || value from steadfast.metrics()
      where metric in ($$steadfast_workflows$$, $$steadfast_workflows_ready$$, $$steadfast_waiting$$) order by 1'
summed="$(for ((k = 0; k < SHARDS; k++)); do q "${S[$k]}" "$msum"; done \
          | awk -F'|' '{v[$1 "|" $2 "|" $3]+=$4} END {for (x in v) print x "|" v[x]}' | csort)"
is "$(q "$R" "$msum" | csort)" "$summed" "metrics through the router: workflow counts (steadfast_workflows, _ready, _waiting) are the sums of the shards'"

# ---------------------------------------------------------------------------------------------
# 12. record_batch through the router: the writes of workflows on two shards, split by shard,
#     answered in the caller's order (checkpoints are fenced by the attempt, not the session).
q "$R" "select name from steadfast.create_queue('tap_batch')" >/dev/null
rb_a="rb-a"; rb_b=""
for i in $(seq 1 50); do
    if [ "$(shard_of "rb-b$i")" != "$(shard_of "$rb_a")" ]; then rb_b="rb-b$i"; break; fi
done
for id in "$rb_a" "$rb_b"; do
    q "$R" "select created from steadfast.start_workflow('$id', 'Batched', '{}', '{\"queue\": \"tap_batch\"}')" >/dev/null
    qf "${S[$(shard_of "$id")]}" >/dev/null <<SQL
select executor_id from steadfast.register_executor('tap-batch-$id', '{"queues": ["tap_batch"]}');
select workflow_id from steadfast.claim_workflows('tap-batch-$id', 1);
SQL
done
writes="[{\"kind\": \"step\", \"workflow_id\": \"$rb_b\", \"attempt\": 1, \"name\": \"x\", \"output\": 1, \"options\": {}},
         {\"kind\": \"step\", \"workflow_id\": \"$rb_a\", \"attempt\": 1, \"name\": \"y\", \"output\": 2, \"options\": {}},
         {\"kind\": \"step\", \"workflow_id\": \"$rb_b\", \"attempt\": 1, \"name\": \"z\", \"output\": 3, \"options\": {}},
         {\"kind\": \"step\", \"workflow_id\": \"$rb_a\", \"attempt\": 9, \"name\": \"w\", \"output\": 4, \"options\": {}}]"
is "$(q "$R" "select ordinal || '|' || coalesce(error_code, '') || '|' || coalesce(step_key, '') || '|' || coalesce(recorded::text, '')
             from steadfast.record_batch('$writes')" | tr '\n' ' ')" \
   "1||x|true 2||y|true 3||z|true 4|SF003|| " \
   "record_batch through the router over two shards: one row per write, in the caller's order, a fenced write refused alone"
is "$(q "${S[$(shard_of "$rb_a")]}" "select string_agg(step_key, ',' order by seq) from steadfast.steps where workflow_id = '$rb_a'")|$(q "${S[$(shard_of "$rb_b")]}" "select string_agg(step_key, ',' order by seq) from steadfast.steps where workflow_id = '$rb_b'")" \
   "y|x,z" "… each workflow's steps recorded on its own shard"

# ---------------------------------------------------------------------------------------------
# 13. No transaction spans the router and a shard (docs/scale-out.md, Limits): a start through
#     the router inside BEGIN … ROLLBACK has committed on its shard all the same.
psql "$R" -XAtq -c "begin" -c "select created from steadfast.start_workflow('tx-1', 'J', '{}', '{}')" -c "rollback" >/dev/null 2>&1
is "$(q "$R" "select status from steadfast.get_workflow('tx-1')")" "enqueued" \
   "a start through the router inside a rolled-back transaction block is started anyway (the documented limit)"

# ---------------------------------------------------------------------------------------------
# 14. A worker through the router (as a service in another language would run one): it
#     registers on every shard and claims across them up to its limit; a bad limit is refused.
q "$R" "select name from steadfast.create_queue('tap_claim')" >/dev/null
q "$R" "select count(*) from pg_catalog.generate_series(1, 6) i
        cross join lateral steadfast.start_workflow('claim-' || i, 'Claimed', '{}', '{\"queue\": \"tap_claim\"}')" >/dev/null
claims="$(qf "$R" 2>&1 <<'SQL'
select count(*) from steadfast.register_executor('tap-router-exec', '{"queues": ["tap_claim"]}');
select count(*) from steadfast.claim_workflows('tap-router-exec', 4);
select count(*) from steadfast.claim_workflows('tap-router-exec', 10);
select count(*) from steadfast.claim_workflows('tap-router-exec', 10);
SQL
)"
is "$(tr '\n' ' ' <<<"$claims")" "1 4 2 0 " \
   "through the router: one executor row (registered on every shard), claims of 4 then the other 2, then none"
is "$(q "$R" "select count(*) from steadfast.list_workflows('{\"queue\": \"tap_claim\", \"status\": \"running\"}')")" 6 \
   "… all six running, over the shards"
bad_claim() {  # URL → the SQLSTATE of a claim with limit 0 by an executor this session registered
    psql "$1" -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate \
        -c "select count(*) from steadfast.register_executor('tap-bad-claim', '{\"queues\": [\"tap_claim\"]}')" \
        -c "select * from steadfast.claim_workflows('tap-bad-claim', 0)" 2>&1 >/dev/null | sed -nE 's/.*ERROR: +([0-9A-Z]{5}).*/\1/p' | head -1
}
q "$single" "select name from steadfast.create_queue('tap_claim')" >/dev/null
is "$(bad_claim "$R")" "$(bad_claim "$single")" "a claim with a bad limit (0) through the router is refused as on one database"

echo "1..$n"
[ $failed = 0 ]
