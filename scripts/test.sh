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
    echo "== plpgsql_check (every function)"
    scripts/plpgsql-check.sh || failed=1
    echo "== the install bundle (Tests/bundle)"
    prove Tests/bundle/test.sh || failed=1
    echo "== sharded: a PL/Proxy router over 4 shards (Tests/sharded)"
    prove Tests/sharded/test.sh || failed=1
fi
if [ "$what" = all ] || [ "$what" = swift ]; then
    echo "== Swift tests"
    source scripts/toolchain.sh || exit 1
    # examples/python/operate.py (psycopg 3) and the dashboard's browser test (selenium) run in
    # the project's virtual environment (.venv), never in the system Python.
    PYTHON="$(scripts/python-env.sh)" || exit 1
    export PYTHON
    # The dashboard's browser test drives Debian's headless Chromium with selenium (no browser
    # is downloaded).
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
        echo "== installing chromium and chromium-driver"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null \
            || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; } \
            || exit 1
    fi
    swift build --build-tests || exit 1
    # Suites run in parallel, each in a database of its own (steadfast_suite_*, made by
    # Tests/SteadfastTests/Database/TestDatabase.swift); they are dropped afterwards.
    drop_suite_databases() {
        psql "$DATABASE_URL" -XAt -c "select format('drop database if exists %I with (force);', datname)
                                       from pg_database where datname like 'steadfast\_suite\_%'
                                       order by datname like '%\_router' desc" \
            | psql "$DATABASE_URL" -Xq >/dev/null || true
    }
    drop_suite_databases
    swift test --skip-build || failed=1
    drop_suite_databases
    echo "== the README's app (examples/quickstart, built as its own package and run)"
    scripts/quickstart.sh || failed=1
fi
if [ "$failed" != 0 ]; then echo "== FAILED" >&2; exit 1; fi
echo "== all tests passed"
