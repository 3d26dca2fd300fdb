# Finnegans — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv/bin
WEB_DIST := src/finnegans/web_dist/index.html

.PHONY: run test lint fmt typecheck web web-test unit e2e bootstrap openapi clean bench

## Create the virtualenv, install, build the dashboard, migrate, seed, serve on :8000.
run: bootstrap web
	$(VENV)/finnegans migrate
	$(VENV)/finnegans seed
	$(VENV)/finnegans serve --no-migrate

## Everything: lint, type checks, front-end tests, unit + integration (SQLite and PostgreSQL), browser tests.
test:
	bash scripts/test.sh

bootstrap:
	bash scripts/bootstrap.sh

web: bootstrap
	@if [ ! -f $(WEB_DIST) ] || [ -n "$$(find web/src web/index.html web/package.json web/vite.config.ts -newer $(WEB_DIST) 2>/dev/null | head -n1)" ]; then \
		cd web && npm run build; \
	fi

lint:
	$(VENV)/ruff check src tests bench scripts hatch_build.py
	$(VENV)/ruff format --check src tests bench scripts hatch_build.py
	$(VENV)/mypy

fmt:
	$(VENV)/ruff check --fix src tests bench scripts hatch_build.py
	$(VENV)/ruff format src tests bench scripts hatch_build.py

## Regenerate web/openapi.json and the dashboard's API types from the server's schema.
openapi:
	$(VENV)/finnegans openapi > web/openapi.json
	cd web && npm run gen:api

## Every benchmark on SQLite, PostgreSQL and scale-out (quick sizes; BENCH_FULL=1 for the full ones).
bench:
	bash scripts/bench.sh

clean:
	rm -rf .venv web/node_modules src/finnegans/web_dist .pytest_cache .mypy_cache .ruff_cache
