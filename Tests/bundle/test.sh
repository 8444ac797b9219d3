#!/usr/bin/env bash
# The install bundle (`make sql`) against fresh databases, printed as TAP for the test log:
#  - it installs into an empty database with psql -f alone;
#  - two psql -f of it at the same moment both succeed (the advisory lock serializes them);
#  - a third run changes nothing (same migrations and code checksums, same applied_at);
#  - the result is the schema the Swift library expects (schema_version() = the last migration).
# Needs DATABASE_URL (any database of the server; it creates and drops its own).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
source Tests/support/tap.sh

db="steadfast_bundle_$$"
psql "$DATABASE_URL" -Xq -c "create database $db" || exit 1
url="$(printf '%s' "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\1$db#")"
trap 'psql "$DATABASE_URL" -Xq -c "drop database if exists $db with (force)"' EXIT
bundle="$(mktemp)"; scripts/bundle.sh > "$bundle"

check "the bundle installs into an empty database" \
    "psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null"
state() { psql "$url" -XAt -c "select string_agg(version || name || applied_at, ',' order by version) from steadfast.schema_migrations" \
                        -c "select string_agg(file || checksum || applied_at, ',' order by file) from steadfast.schema_code"; }
before="$(state)"

psql "$url" -Xq -At -v ON_ERROR_STOP=1 -f "$bundle" >/tmp/bundle-a.$$ 2>&1 & a=$!
psql "$url" -Xq -At -v ON_ERROR_STOP=1 -f "$bundle" >/tmp/bundle-b.$$ 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
check "two concurrent runs both succeed" "[ $ra = 0 ] && [ $rb = 0 ]"
check "they print no error" "! grep -qi error /tmp/bundle-a.$$ /tmp/bundle-b.$$"
rm -f /tmp/bundle-a.$$ /tmp/bundle-b.$$
check "running it again changes nothing" "[ \"\$(state)\" = \"$before\" ]"
check "every applied migration has its checksum recorded" \
    "[ \"\$(psql '$url' -XAtc 'select count(*) from steadfast.schema_migrations where checksum is null')\" = 0 ]"
# An applied migration whose text changed is refused, naming it; the escape hatch accepts it.
psql "$url" -Xq -At -v ON_ERROR_STOP=1 -c "select steadfast._apply_migration(5, '0005_fake_clock', 'select 1 -- edited')" \
    >/tmp/bundle-edit.$$ 2>&1; rc=$?
check "an edited migration is refused" "[ $rc != 0 ]"
check "naming it" "grep -q 'migration 0005_fake_clock was changed after it was applied' /tmp/bundle-edit.$$"
check "and the bundle still applies unchanged" "psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null"
PGOPTIONS="-c steadfast.accept_changed_migrations=0005_fake_clock" psql "$url" -Xq -At -v ON_ERROR_STOP=1 \
    -c "select steadfast._apply_migration(5, '0005_fake_clock', 'select 1 -- edited')" >/dev/null 2>&1; rc=$?
check "steadfast.accept_changed_migrations accepts a deliberate edit" "[ $rc = 0 ]"
check "then the original text is the changed one" "! psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null 2>&1"
check "accepted back, all is as before" \
    "PGOPTIONS='-c steadfast.accept_changed_migrations=*' psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null \
     && psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null"
rm -f /tmp/bundle-edit.$$
# A migration marked breaking closes the compatibility window for builds older than it.
check "no applied migration is marked breaking" \
    "[ -z \"\$(psql '$url' -XAtc 'select version from steadfast.breaking_migrations_after(0)')\" ]"
psql "$url" -Xq -At -v ON_ERROR_STOP=1 -c "select steadfast._apply_migration(9999, '9999_breaking_test', E'-- steadfast: breaking\\nselect 1')" >/dev/null
check "one marked '-- steadfast: breaking' is listed by breaking_migrations_after" \
    "[ \"\$(psql '$url' -XAtc 'select name from steadfast.breaking_migrations_after(9998)')\" = 9999_breaking_test ]"
psql "$url" -Xq -c "delete from steadfast.schema_migrations where version = 9999" >/dev/null

psql "$url" -Xq -c "drop schema steadfast cascade" 2>/dev/null
( scripts/bundle.sh | psql "$url" -Xq -At -v ON_ERROR_STOP=1 -f - >/dev/null ) & a=$!
( scripts/bundle.sh | psql "$url" -Xq -At -v ON_ERROR_STOP=1 -f - >/dev/null ) & b=$!
wait $a; ra=$?; wait $b; rb=$?
check "two concurrent first installs both succeed" "[ $ra = 0 ] && [ $rb = 0 ]"
last="$(ls migrations/*.sql | tail -1 | xargs basename | cut -d_ -f1 | sed 's/^0*//')"
check "schema_version() is the last migration ($last)" \
    "[ \"\$(psql '$url' -XAtc 'select steadfast.schema_version()')\" = '$last' ]"
check "each migration is recorded once" \
    "[ \"\$(psql '$url' -XAtc 'select count(*) = count(distinct version) from steadfast.schema_migrations')\" = t ]"
# A session squatting the migration lock (any role can take any advisory lock): migrate waits
# at most lock_timeout, then fails naming the holder, instead of hanging.
psql "$url" -XAt -c "select pg_advisory_lock(7293475118305624701)" -c "select pg_backend_pid()" -c "select pg_sleep(60)" \
    >/tmp/bundle-squat.$$ 2>&1 & squatter=$!
for _ in $(seq 1 100); do [ "$(wc -l < /tmp/bundle-squat.$$)" -ge 2 ] && break; sleep 0.1; done
squatter_pid="$(sed -n 2p /tmp/bundle-squat.$$)"
PGOPTIONS="-c lock_timeout=1s" psql "$url" -Xq -At -v ON_ERROR_STOP=1 -f "$bundle" >/tmp/bundle-c.$$ 2>&1; rc=$?
check "migrate fails when another session holds its lock past lock_timeout" "[ $rc != 0 ]"
check "and names the holder (pid $squatter_pid)" "grep -q 'migration lock is held by pid $squatter_pid' /tmp/bundle-c.$$"
kill $squatter 2>/dev/null; wait $squatter 2>/dev/null
psql "$url" -Xq -c "select pg_terminate_backend($squatter_pid)" >/dev/null 2>&1
check "once it is gone, migrate succeeds" "psql '$url' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null"
rm -f /tmp/bundle-squat.$$ /tmp/bundle-c.$$
# The engine owned by a dedicated role that is not a superuser (the production setup the
# README recommends): it installs, and a workflow runs through it end to end.
owner="steadfast_owner_$$"
odb="steadfast_bundle_owner_$$"
psql "$DATABASE_URL" -Xq -c "create role $owner login" -c "create database $odb owner $owner" || exit 1
ourl="$(printf '%s' "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\1$odb#; s#([?&]user=)[^&]*#\1$owner#")"
case "$ourl" in *user=*) ;; *\?*) ourl="$ourl&user=$owner" ;; *) ourl="$ourl?user=$owner" ;; esac
check "the bundle installs as a non-superuser owner" \
    "psql '$ourl' -Xq -At -v ON_ERROR_STOP=1 -f '$bundle' >/dev/null"
check "the owner is not a superuser" "[ \"\$(psql '$ourl' -XAtc 'select rolsuper from pg_roles where rolname = current_user')\" = f ]"
check "a workflow runs end to end under it" "[ \"\$(psql '$ourl' -XAt -v ON_ERROR_STOP=1 \
    -c \"select created from steadfast.start_workflow('o-1', 'job', '{}')\" \
    -c \"select executor_id is not null from steadfast.register_executor('o-e')\" \
    -c \"select attempt from steadfast.claim_workflows('o-e', 1)\" \
    -c \"select recorded from steadfast.record_step('o-1', 1, 's', '1')\" \
    -c \"select steadfast.complete_workflow('o-1', 1, '2') is not null\" \
    -c \"select status from steadfast.get_workflow('o-1')\" | tr '\\n' ' ')\" = 't t 1 t t succeeded ' ]"
psql "$DATABASE_URL" -Xq -c "drop database if exists $odb with (force)" -c "drop role if exists $owner" >/dev/null

rm -f "$bundle"
echo "1..$n"
[ $failed = 0 ]
