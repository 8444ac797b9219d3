#!/usr/bin/env bash
# The Python the project's scripts and tests use: a virtual environment in .venv/ (git-ignored)
# with examples/python/requirements.txt and Tests/browser/requirements.txt installed. Nothing is
# installed into the system Python.
#
#   scripts/python-env.sh          create or update .venv if needed, print its python's path
#
# It installs Debian's python3-venv if `python3 -m venv` cannot work, and re-runs pip only when
# a requirements file changed (a stamp in .venv records their checksum).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="$here/.venv"
requirements=(examples/python/requirements.txt Tests/browser/requirements.txt)
log() { echo "python-env: $*" >&2; }

if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v apt-get >/dev/null || { log "python3 cannot make a virtual environment and there is no apt-get: install python3-venv"; exit 1; }
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    log "installing python3-venv"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null \
        || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; }
fi
if [ ! -x "$venv/bin/python" ]; then
    log "creating $venv"
    python3 -m venv "$venv" >&2
fi
stamp="$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
    log "installing ${requirements[*]}"
    args=(); for r in "${requirements[@]}"; do args+=(-r "$r"); done
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${args[@]}" >&2
    echo "$stamp" > "$venv/.requirements"
fi
echo "$venv/bin/python"
