#!/usr/bin/env bash
# `make demo`: a workflow survives kill -9.
#  1. start the project's PostgreSQL and install the engine;
#  2. start a four-step order workflow;
#  3. run a worker, and kill -9 it while the third step runs;
#  4. run a second worker, which replays the two recorded steps and finishes the rest;
#  5. print the workflow's record.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export PATH="/opt/swift/usr/bin:$PATH"

scripts/db.sh up
export DATABASE_URL="${DATABASE_URL:-$(scripts/db.sh url)}"
echo "== building the demo"
swift build --product steadfast-demo 2>&1 | tail -1
demo="$(swift build --show-bin-path)/steadfast-demo"

"$demo" migrate
id="order-$(date +%s)"
"$demo" start "$id"

log="$(mktemp)"
echo "== worker 1 runs the workflow"
"$demo" worker "worker 1" >"$log" 2>&1 &
first=$!
tail -f "$log" --pid=$first &
tailer=$!
for _ in $(seq 1 300); do
    grep -q "▶ ship" "$log" && break
    sleep 0.1
done
sleep 0.5
kill -9 "$first"
wait "$first" 2>/dev/null || true
kill "$tailer" 2>/dev/null || true
echo "== 💥 kill -9 worker 1 (pid $first) in the middle of step 3"
echo "== worker 2 picks the workflow up"
"$demo" worker "worker 2" "$id"
echo "== what the database recorded"
"$demo" show "$id"
echo
echo "reserve and charge ran once, in worker 1; worker 2 replayed their recorded results and"
echo "ran only ship (interrupted in worker 1) and email. The crash was noticed through worker 1's"
echo "closed database session, without waiting for its 30 s lease."
rm -f "$log"
