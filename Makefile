PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Processes share the cache only through Redis; without it one process keeps answers consistent.
WORKERS ?= $(if $(REDIS_URL),4,1)
PYTEST_ARGS ?=
SCALE_PG ?= postgres://postgres@127.0.0.1:5432
SCALE_DB ?= salesbackend_scale
SCALE_LINES ?= 10000000
SCALE_RUNS ?= 3

.DEFAULT_GOAL := help
.PHONY: help install install-runtime run dev test lint format migrate demo worker bench bench-scale loadtest loadtest-replica dblimit smoke fuzz browser clean

help:  ## list the targets and the variables they read
	@echo "usage: make TARGET [VARIABLE=value ...]"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo
	@echo "variables (current value):"
	@printf '  %-22s %s\n' \
		"PYTHON" "the interpreter that creates the virtualenv ($(PYTHON))" \
		"VENV" "the virtualenv directory ($(VENV))" \
		"HOST, PORT" "where run and dev listen ($(HOST):$(PORT))" \
		"WORKERS" "web processes of make run ($(WORKERS); 4 with REDIS_URL, else 1)" \
		"PYTEST_ARGS" "extra pytest arguments for make test, e.g. PYTEST_ARGS='-n 2 -x'" \
		"DJANGO_DEBUG" "1 for migrate, demo, run, dev, worker, bench, bench-scale, lint unless set (the public development key)" \
		"DATABASE_URL" "PostgreSQL for every target (unset: SQLite db.sqlite3)" \
		"REDIS_URL" "Redis cache, throttles and Celery broker (unset: local memory, eager tasks)" \
		"CELERY_BROKER_URL" "another broker for worker, e.g. RabbitMQ amqp://..." \
		"SMOKE_PORT, SMOKE_DB" "make smoke: port (8095) and database name (salesbackend_smoke)" \
		"SMOKE_PG, SMOKE_REDIS" "make smoke: PostgreSQL server URL and Redis URL (db 9)" \
		"FUZZ_SECONDS" "make fuzz: time budget (180), also FUZZ_CHECKS, FUZZ_EXAMPLES, FUZZ_PORT" \
		"LOADTEST_SECONDS" "make loadtest: seconds per scenario (10), also LOADTEST_CONNECTIONS, LOADTEST_PORT, LOADTEST_DB, LOADTEST_REDIS, LOADTEST_PAYMENTS (2000)" \
		"SCALE_DB, SCALE_LINES" "make bench-scale: the database it drops and fills ($(SCALE_DB)) and its ledger lines ($(SCALE_LINES)); SCALE_PG, SCALE_RUNS ($(SCALE_RUNS))" \
		"REPLICA_BENCH_DB" "make loadtest-replica: the million-line demo it reads (sb_bench), also REPLICA_BENCH_SECONDS, REPLICA_BENCH_CONNECTIONS, REPLICA_BENCH_PORT"

# The local targets run the development configuration unless told otherwise: DEBUG on, the
# public development key, demo accounts with the published password. Production never runs
# make; it runs the Procfile, where DJANGO_DEBUG is off unless set.
migrate demo run dev worker bench bench-scale lint: export DJANGO_DEBUG ?= 1

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Two stamps: what the app runs on (requirements.txt, as production installs it) and the dev
# tools on top (pytest, ruff, mypy, schemathesis, playwright), installed only for the targets
# that use them.
$(VENV)/.installed-runtime: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install-runtime: $(VENV)/.installed-runtime  ## create .venv with requirements.txt only (what run needs)

install: $(VENV)/.installed-dev  ## create .venv with requirements.txt and the dev tools

migrate: install-runtime  ## create the database if needed and apply migrations
	$(BIN)/python scripts/ensure_database.py
	$(BIN)/python manage.py migrate --noinput

demo: migrate  ## demo users (one per role) and a demo catalog with orders
	$(BIN)/python manage.py seed_demo --if-empty

run: demo  ## install requirements.txt, migrate, load demo data, serve on http://127.0.0.1:8000 (DJANGO_DEBUG=1)
	HOST=$(HOST) PORT=$(PORT) WEB_CONCURRENCY=$(WORKERS) \
		$(BIN)/gunicorn salesbackend.asgi:application --config gunicorn.conf.py

dev: demo  ## like run (DJANGO_DEBUG=1), but Django's auto-reloading development server (no live alert stream)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install-runtime  ## a Celery worker with beat (with REDIS_URL or CELERY_BROKER_URL set)
	$(BIN)/celery -A salesbackend worker --beat --loglevel=info --schedule /tmp/celerybeat-schedule

test: install  ## install and run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install  ## ruff check, format check, and mypy on the services, selectors and the sales ledger
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-runtime  ## time the analytics endpoints on a large demo database (see README)
	$(BIN)/python manage.py bench

# DROPS SCALE_DB first. The seed takes minutes; the database is about 6 GB: drop it when done
# (a standby or a backup of the cluster copies it too).
bench-scale: install-runtime  ## the ledger partitioned by month at 10 million lines: SCALE_DB dropped, migrated, seeded through COPY; EXPLAIN of a dated query; bench (see README)
	psql -q "$(SCALE_PG)/postgres" -c "DROP DATABASE IF EXISTS $(SCALE_DB) WITH (FORCE)" -c "CREATE DATABASE $(SCALE_DB)"
	DATABASE_URL=$(SCALE_PG)/$(SCALE_DB) $(BIN)/python manage.py migrate --noinput >/dev/null
	DATABASE_URL=$(SCALE_PG)/$(SCALE_DB) $(BIN)/python manage.py seed_ledger_scale --lines $(SCALE_LINES)
	DATABASE_URL=$(SCALE_PG)/$(SCALE_DB) $(BIN)/python manage.py bench --runs $(SCALE_RUNS)

browser: install  ## staff flows in Chromium (Playwright) against a live server; screenshots in artifacts/
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/pytest -m browser salesbackend/tests/browser

fuzz: install  ## schemathesis against the production setup on PostgreSQL + Redis; fails on any 5xx
	BIN=$(BIN) bash scripts/fuzz.sh

smoke: install  ## a clean clone of HEAD deployed as the Procfile says: pages with their assets, one order and its e-mail over SMTP
	DEV_PYTHON=$(BIN)/python bash scripts/smoke_production.sh

loadtest: install  ## the Procfile's web + worker under wrk: reads, flash sale, payments; rps, latency, CPU ms/request (see README)
	BIN=$(BIN) bash scripts/loadtest/run.sh

loadtest-replica: install  ## reports of the million-line demo on a streaming standby while make loadtest places orders: replica off and on, side by side (see README)
	BIN=$(BIN) bash scripts/loadtest/replica_side_by_side.sh

dblimit: install  ## pgbench replay of one order placement's and one payment's SQL: the database's own limits
	BIN=$(BIN) bash scripts/loadtest/dblimit.sh

clean:  ## remove the virtualenv and local database
	rm -rf $(VENV) .venv-prod db.sqlite3 test_db.sqlite3 staticfiles .pytest_cache
