#!/usr/bin/env bash
# `make test`: install what is missing, then lint, type-check, front-end tests, the Python suite
# on SQLite and a real PostgreSQL (started here, stopped on exit), the scale-out stage, and the
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --test

echo "== lint and type checks"
make --no-print-directory lint

echo "== dashboard: type check, unit tests, build"
(cd web && npm run typecheck && npm test && npm run build)

echo "== services: PostgreSQL and Redis"
eval "$(bash scripts/services.sh)"
trap 'bash scripts/services.sh stop "$FINNEGANS_SERVICES_DIR"' EXIT

echo "== unit and integration tests (SQLite + PostgreSQL)"
.venv/bin/pytest -p no:cacheprovider tests/unit tests/integration "$@"

# Real processes on real ports: two `finnegans serve`, two `finnegans worker` and the emulator,
# on PostgreSQL + Redis (tests/scaleout). With CI=true a missing service fails, never skips.
echo "== scale-out stage (PostgreSQL + Redis, 2 servers + 2 workers + the emulator)"
.venv/bin/pytest -p no:cacheprovider tests/scaleout "$@"

# Playwright's sync API keeps an event loop running for the whole session, so the browser tests
# get a pytest process of their own.
echo "== browser tests (Playwright + Debian Chromium)"
.venv/bin/pytest -p no:cacheprovider tests/e2e "$@"
