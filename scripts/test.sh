#!/usr/bin/env bash
# The test command behind `make test`, `make test/sql` and `make test/swift`.
#
#   scripts/test.sh [all|sql|swift]
#
# Without DATABASE_URL it installs what is missing, starts the project's own PostgreSQL
# (scripts/db.sh) if it is not running, runs the tests in a fresh database `steadfast_test`,
# and stops the server again if it started it — also when a test fails. With DATABASE_URL set
# it uses that database and starts nothing. Exits non-zero when any test fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-all}"

started=""
if [ -z "${DATABASE_URL:-}" ]; then
    export STEADFAST_DB_NAME=steadfast_test
    scripts/db.sh install || exit 1
    if ! psql "$(scripts/db.sh url | sed 's|/steadfast_test?|/postgres?|')" -Xqc 'select 1' >/dev/null 2>&1; then
        started=1
    fi
    scripts/db.sh up || exit 1
    # DATABASE_URL is exported below for the tests; the server to stop is still the project's own.
    if [ -n "$started" ]; then trap 'env -u DATABASE_URL scripts/db.sh down' EXIT; fi
    admin="$(scripts/db.sh url | sed 's|/steadfast_test?|/postgres?|')"
    psql "$admin" -Xq -v ON_ERROR_STOP=1 -c 'drop database if exists steadfast_test with (force)' \
        -c 'create database steadfast_test' || exit 1
    export DATABASE_URL="$(scripts/db.sh url)"
else
    scripts/db.sh install || exit 1
fi

echo "== migrate ($(scripts/bundle.sh | wc -l) lines of bundle)"
scripts/bundle.sh | psql "$DATABASE_URL" -Xq -At -v ON_ERROR_STOP=1 -f - >/dev/null || exit 1

failed=0
if [ "$what" = all ] || [ "$what" = sql ]; then
    echo "== pgTAP (Tests/sql)"
    psql "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -v url="$DATABASE_URL" -f Tests/sql/setup.sql || exit 1
    pg_prove --psql scripts/psql-url.sh --ext .sql -r Tests/sql/functions || failed=1
    echo "== the install bundle (Tests/bundle)"
    prove Tests/bundle/test.sh || failed=1
fi
if [ "$what" = all ] || [ "$what" = swift ]; then
    echo "== Swift tests"
    # examples/python/operate.py, run by a Swift test, talks to the engine with psycopg 3.
    if ! python3 -c 'import psycopg' 2>/dev/null; then
        python3 -m pip install -q 'psycopg[binary]>=3.2' \
            || python3 -m pip install -q --break-system-packages 'psycopg[binary]>=3.2' || exit 1
    fi
    # The dashboard's browser test drives Debian's headless Chromium with selenium (no browser
    # is downloaded).
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "== installing chromium and chromium-driver"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null \
            || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; } \
            || exit 1
    fi
    if ! python3 -c 'import selenium' 2>/dev/null; then
        python3 -m pip install -q 'selenium>=4.10' \
            || python3 -m pip install -q --break-system-packages 'selenium>=4.10' || exit 1
    fi
    swift build --build-tests || exit 1
    swift test --skip-build --no-parallel || failed=1
fi
if [ "$failed" != 0 ]; then echo "== FAILED" >&2; exit 1; fi
echo "== all tests passed"
