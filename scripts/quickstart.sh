#!/usr/bin/env bash
# `make quickstart` (and `make test`): the README's "Use it in your app" package,
# examples/quickstart, built as an application would build it — its own Package.swift, with
# Steadfast as a dependency from `../steadfast` — and run: the worker in the background, then
# `place-order`, which starts a workflow and waits for its result. Exits non-zero on failure.
#
# The package is copied to .build/quickstart-layout/quickstart next to a link
# .build/quickstart-layout/steadfast to this checkout (the layout the README describes), and
# built in .build/quickstart (incremental across runs). Uses the project's PostgreSQL in a
# database of its own (steadfast_quickstart), or DATABASE_URL when set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh

layout="$here/.build/quickstart-layout"
mkdir -p "$layout/quickstart"
ln -sfn "$here" "$layout/steadfast"
# Copy (not link) the package: SwiftPM resolves ../steadfast from the package's real location.
rm -rf "$layout/quickstart/Sources"
cp -p examples/quickstart/Package.swift "$layout/quickstart/"
cp -rp examples/quickstart/Sources "$layout/quickstart/"
echo "== building examples/quickstart as an app would (swift build, its own Package.swift)"
swift build --package-path "$layout/quickstart" --scratch-path "$here/.build/quickstart" 2>&1 | tail -3
bin="$(swift build --package-path "$layout/quickstart" --scratch-path "$here/.build/quickstart" --show-bin-path)"

if [ -z "${DATABASE_URL:-}" ]; then
    export STEADFAST_DB_NAME=steadfast_quickstart
    scripts/db.sh up
    export DATABASE_URL="$(scripts/db.sh url)"
fi
log="$(mktemp)"
"$bin/worker" >"$log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; rm -f "$log"' EXIT
# The worker installs the engine first (Steadfast.migrate), then registers: wait for that.
for _ in $(seq 1 600); do
    [ "$(psql "$DATABASE_URL" -XAtc "select count(*) from steadfast.list_executors() where pid = $worker" 2>/dev/null)" = 1 ] && break
    kill -0 "$worker" 2>/dev/null || { cat "$log" >&2; echo "== ✘ the worker exited" >&2; exit 1; }
    sleep 0.1
done
order="qs-$(date +%s)-$$"
echo "== worker running (pid $worker); place-order $order"
out="$(timeout 120 "$bin/place-order" "$order")" || { cat "$log" >&2; echo "== ✘ place-order failed" >&2; exit 1; }
echo "$out"
kill -TERM "$worker"
status=0; wait "$worker" || status=$?
cat "$log"
[[ "$out" =~ ^order\ $order:\ ch-[0-9]+\ track-[0-9]+$ ]] || { echo "== ✘ unexpected result" >&2; exit 1; }
grep -q "charged 42" "$log" && grep -q "emailed the confirmation of $order" "$log" \
    || { echo "== ✘ the worker did not run the steps" >&2; exit 1; }
[ "$status" = 0 ] || { echo "== ✘ the worker did not stop gracefully on SIGTERM (status $status)" >&2; exit 1; }
echo "== quickstart: built, ran, stopped gracefully"
