#!/usr/bin/env bash
# `make bench`: every benchmark in bench/ on SQLite, on a throwaway PostgreSQL and Redis
# (started here like scripts/test.sh does, stopped on exit), and in scale-out mode.
# Quick sizes by default (about 15 minutes on the 2-core VM); BENCH_FULL=1 for the README's.
# Extra arguments go to bench/run_all.py (e.g. --only overview_queries --backend sqlite).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --test

echo "== services: PostgreSQL and Redis"
eval "$(bash scripts/services.sh)"
trap 'bash scripts/services.sh stop "$FINNEGANS_SERVICES_DIR"' EXIT

.venv/bin/python bench/run_all.py --postgres-url "$TEST_POSTGRES_URL" --redis-url "$TEST_REDIS_URL" "$@"
