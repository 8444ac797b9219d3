#!/usr/bin/env bash
# `make demo`: a workflow survives kill -9.
#  1. start the project's PostgreSQL and install the engine in a database of the demo's own
#     (steadfast_demo; with DATABASE_URL set, that database — the demo's workflow name
#     `DemoOrder` and queue `demo` keep it apart from any other workers there);
#  2. start a four-step order workflow;
#  3. run a worker, and kill -9 it while the third step runs;
#  4. run a second worker, which replays the two recorded steps and finishes the rest;
#  5. print the workflow's record, and check it tells that story (exit 1 if it does not).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh
fail() { echo "== ✘ $*" >&2; exit 1; }

if [ -z "${DATABASE_URL:-}" ]; then
    export STEADFAST_DB_NAME=steadfast_demo
    scripts/db.sh up
    export DATABASE_URL="$(scripts/db.sh url)"
fi
echo "== building the demo"
swift build --product steadfast-demo 2>&1 | tail -1
demo="$(swift build --show-bin-path)/steadfast-demo"

"$demo" migrate
id="order-$(date +%s)-$$"
"$demo" start "$id"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "== worker 1 runs the workflow"
"$demo" worker "worker 1" >"$log" 2>&1 &
first=$!
tail -f "$log" --pid=$first &
tailer=$!
# Kill it only once it is inside step 3 (ship takes 3 s): its start line printed, its end not.
for _ in $(seq 1 300); do
    grep -q "▶ ship" "$log" && break
    kill -0 "$first" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q "worker 1.*▶ ship" "$log" || grep -q "✔ ship" "$log"; then
    kill -9 "$first" 2>/dev/null || true
    kill "$tailer" 2>/dev/null || true
    if ! grep -q "▶" "$log"; then
        fail "worker 1 ran no step of $id: another worker of the demo's queue 'demo' took it (\`steadfast executors\` lists them) — stop it and run make demo again"
    fi
    fail "worker 1 was not inside step 3 (ship) when it was to be killed — the demo cannot show a mid-step crash. Its output is above."
fi
sleep 0.5
kill -9 "$first"
wait "$first" 2>/dev/null || true
kill "$tailer" 2>/dev/null || true
grep -q "✔ ship" "$log" && fail "step 3 (ship) finished before the kill landed — the demo cannot show a mid-step crash"
echo "== 💥 kill -9 worker 1 (pid $first) in the middle of step 3"
echo "== worker 2 picks the workflow up"
"$demo" worker "worker 2" "$id"
echo "== what the database recorded"
"$demo" show "$id"
"$demo" verify "$id" || fail "the database does not show the crash the demo claims"
echo
echo "reserve and charge ran once, in worker 1; worker 2 replayed their recorded results and"
echo "ran only ship (interrupted in worker 1) and email. The crash was noticed through worker 1's"
echo "closed database session, without waiting for its 30 s lease."
