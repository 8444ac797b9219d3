#!/usr/bin/env bash
# `make example-python`: examples/python/operate.py end to end, as a Python service would run it.
#  1. the project's PostgreSQL (a database of the example's own, steadfast_example; with
#     DATABASE_URL set, that database), the engine installed by the worker;
#  2. the worker the repository ships for it — `steadfast-demo python-worker` registers greet,
#     nap, fulfil and approve (examples/demo/PythonWorkflows.swift) — in the background;
#  3. operate.py with psycopg from the project's virtual environment (scripts/python-env.sh);
#  4. the worker stopped (SIGTERM: a graceful shutdown). Exits with operate.py's status.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh

if [ -z "${DATABASE_URL:-}" ]; then
    export STEADFAST_DB_NAME=steadfast_example
    scripts/db.sh up
    export DATABASE_URL="$(scripts/db.sh url)"
fi
python="$(scripts/python-env.sh)"
echo "== building the worker (steadfast-demo)"
swift build --product steadfast-demo 2>&1 | tail -1
demo="$(swift build --show-bin-path)/steadfast-demo"

log="$(mktemp)"
"$demo" python-worker >"$log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
    grep -q "^ready" "$log" && break
    kill -0 "$worker" 2>/dev/null || { cat "$log" >&2; echo "== ✘ the worker exited" >&2; exit 1; }
    sleep 0.1
done
grep -q "^ready" "$log" || { cat "$log" >&2; echo "== ✘ the worker did not get ready" >&2; exit 1; }
echo "== worker running (pid $worker); examples/python/operate.py:"
"$python" examples/python/operate.py
echo "== done: every line above is one steadfast.* call's outcome, read by Python"
