#!/bin/sh
# The image's entrypoint. `serve` migrates first (unless MIGRATE_ON_START=false, as in the
# compose file, where a one-shot `migrate` service does it once for every replica), then serves
# on all interfaces; every other command is passed to `finnegans` as it is.
set -eu

if [ "${1:-serve}" = "serve" ]; then
    if [ "$#" -gt 0 ]; then
        shift
    fi
    if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
        finnegans migrate
    fi
    exec finnegans serve --no-migrate --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" "$@"
fi
exec finnegans "$@"
