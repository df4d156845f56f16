PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Processes share the cache only through Redis; without it one process keeps answers consistent.
WORKERS ?= $(if $(REDIS_URL),4,1)

.DEFAULT_GOAL := help
.PHONY: help install run dev test lint format migrate demo worker bench loadtest dblimit smoke fuzz browser clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed  ## create .venv and install the pinned requirements

migrate: install  ## create the database if needed and apply migrations
	$(BIN)/python scripts/ensure_database.py
	$(BIN)/python manage.py migrate --noinput

demo: migrate  ## demo users (one per role) and a demo catalog with orders
	$(BIN)/python manage.py seed_demo --if-empty

run: demo  ## install, migrate, load demo data and serve on http://127.0.0.1:8000
	HOST=$(HOST) PORT=$(PORT) WEB_CONCURRENCY=$(WORKERS) \
		$(BIN)/gunicorn salesbackend.asgi:application --config gunicorn.conf.py

dev: demo  ## like run, but Django's auto-reloading development server (no live alert stream)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install  ## a Celery worker with beat (with REDIS_URL or CELERY_BROKER_URL set)
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

bench: install  ## time the analytics endpoints on a large demo database (see README)
	$(BIN)/python manage.py bench

browser: install  ## staff flows in Chromium (Playwright) against a live server; screenshots in artifacts/
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/pytest -m browser salesbackend/tests/browser

fuzz: install  ## schemathesis against the production setup on PostgreSQL + Redis; fails on any 5xx
	BIN=$(BIN) bash scripts/fuzz.sh

smoke:  ## production install from requirements.txt only: check --deploy, Procfile web + worker, one order
	bash scripts/smoke_production.sh

loadtest: install  ## HTTP throughput with wrk on PostgreSQL + Redis, production settings (see README)
	BIN=$(BIN) bash scripts/loadtest/run.sh

dblimit: install  ## pgbench replay of one order placement's SQL: the database's own limit
	BIN=$(BIN) bash scripts/loadtest/dblimit.sh

clean:  ## remove the virtualenv and local database
	rm -rf $(VENV) .venv-prod db.sqlite3 test_db.sqlite3 staticfiles .pytest_cache
