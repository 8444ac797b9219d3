#!/usr/bin/env bash
# `make docs`: the API documentation of the public products — Steadfast, SteadfastTesting and
# SteadfastDashboard — built with DocC (swift-docc-plugin) from the `///` comments, as static
# HTML in dist/docs/<target>/, with an index page dist/docs/index.html. DocC pages need a
# server (not file://): python3 -m http.server -d dist/docs, then http://localhost:8000/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/toolchain.sh

targets=(Steadfast SteadfastTesting SteadfastDashboard)
mkdir -p dist/docs
for target in "${targets[@]}"; do
    lower="$(echo "$target" | tr '[:upper:]' '[:lower:]')"
    echo "== $target → dist/docs/$lower"
    rm -rf "dist/docs/$lower"
    swift package --allow-writing-to-directory "dist/docs/$lower" generate-documentation --target "$target" \
        --disable-indexing --transform-for-static-hosting --hosting-base-path "$lower" \
        --output-path "dist/docs/$lower" 2>&1 | grep -Ev '^(Building|\[[0-9]+/[0-9]+\]|Build of|Compiling|Write swift-version|Emitting|Generating|Planning)' || true
    [ -f "dist/docs/$lower/index.html" ] || { echo "== ✘ no documentation for $target" >&2; exit 1; }
done
{
    echo '<!doctype html><meta charset="utf-8"><title>Steadfast API documentation</title>'
    echo '<h1>Steadfast API documentation</h1><ul>'
    for target in "${targets[@]}"; do
        lower="$(echo "$target" | tr '[:upper:]' '[:lower:]')"
        echo "<li><a href=\"$lower/documentation/$lower/index.html\">$target</a></li>"
    done
    echo '</ul><p>Serve this folder (python3 -m http.server -d dist/docs) for the full navigation.</p>'
} > dist/docs/index.html
echo "== wrote dist/docs (index.html)"
