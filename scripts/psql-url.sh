#!/usr/bin/env bash
# psql on $DATABASE_URL, for pg_prove (--psql): pg_prove cannot pass a URL with query
# parameters through its own --dbname.
exec psql "$@" --dbname="$DATABASE_URL"
