# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is the development server (DEBUG on unless set); everything
# else runs with DEBUG off unless the environment says otherwise.
run: export DEBUG ?= true
# The development server speaks plain HTTP only.
run: export SECURE_SSL_REDIRECT ?= false

.PHONY: run worker serve test lint format migrate install install-dev schema check-migrations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

# The development server and, beside it, the worker that delivers reminders
# (deploy/develop.py stops both together).
run: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m deploy.develop $(HOST):$(PORT)

# The worker alone (Huey's consumer): delivers reminders when they fall due.
# Production runs it beside `make serve`, as many as wanted (README "Reminders").
worker: migrate
	$(BIN)/python manage.py run_huey

# Production serving (deploy/serve.py): nginx on HOST:PORT (or GUNICORN_BIND),
# buffering whole requests and answers, in front of gunicorn with
# gunicorn.conf.py on a local socket; static files through WhiteNoise. Needs
# SECRET_KEY (and ALLOWED_HOSTS) like any production run.
serve: migrate nginx-deps
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m deploy.serve --bind $(or $(GUNICORN_BIND),$(HOST):$(PORT))

# nginx from Debian's package (Debian installs it in /usr/sbin).
.PHONY: nginx-deps
nginx-deps:
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		(apt-get update && apt-get install -y --no-install-recommends nginx)

# The tests run a real Better Auth server (harness/better_auth/, Node.js): its
# npm packages come from the committed lock file.
BETTER_AUTH_DIR := harness/better_auth
.PHONY: better-auth-deps
better-auth-deps: $(BETTER_AUTH_DIR)/node_modules/.package-lock.json

$(BETTER_AUTH_DIR)/node_modules/.package-lock.json: $(BETTER_AUTH_DIR)/package-lock.json
	cd $(BETTER_AUTH_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install-dev better-auth-deps nginx-deps
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: export DEBUG ?= true
schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

check-migrations: export DEBUG ?= true
check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache $(BETTER_AUTH_DIR)/node_modules \
		$(CLIENTS_DIR)/node_modules $(CLIENTS_DIR)/generated

# Browser tests (browser_tests/): Playwright drives Debian's Chromium against
# the application served the production way (gunicorn, DEBUG off). Chromium
# comes from apt, not from `playwright install`.
.PHONY: browser-deps test-browser

browser-deps: install-dev
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

test-browser: install-dev browser-deps
	$(BIN)/pytest -c browser_tests/pytest.ini browser_tests

# Reliability checks against gunicorn on PostgreSQL (a database of their own).
# fault-test stops and restarts the local PostgreSQL cluster, so it needs root.
SOAK_SECONDS ?= 60
SOAK_CLIENTS ?= 50
.PHONY: fault-test soak

fault-test: install-dev
	$(BIN)/python -m harness.fault_test

soak: install-dev
	$(BIN)/python -m harness.soak --seconds $(SOAK_SECONDS) --clients $(SOAK_CLIENTS)

# Performance benchmark (bench/): the API served the production way on
# PostgreSQL and a hand-written floor under the same gunicorn settings,
# driven by wrk over loopback. Results in bench/results/. Not part of `test`.
.PHONY: bench-deps bench bench-quick

$(VENV)/.installed-bench: requirements.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.installed $@

bench-deps: $(VENV)/.installed-bench nginx-deps
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

bench: bench-deps
	$(BIN)/python -m bench.run

bench-quick: bench-deps
	$(BIN)/python -m bench.run --quick

# Schema-based fuzzing: Schemathesis (harness/schemathesis.toml: every check and
# phase, fixed seed and example budget) against gunicorn on a fresh SQLite
# file, or on FUZZ_DATABASE_URL. Arguments for `st run` go in FUZZ_ARGS.
.PHONY: fuzz

fuzz: install-dev
	$(BIN)/python -m harness.fuzz $(FUZZ_ARGS)

# Typed clients (clients/, docs/API.md): against gunicorn on a fresh SQLite
# file, Redocly lints the served schema, a Python client (openapi-python-client)
# and TypeScript types (openapi-typescript, for openapi-fetch) are generated
# from it into clients/generated/, a consumer of each passes `mypy --strict`
# and `tsc --noEmit`, then runs against the server. The npm packages come
# from the committed lock file.
CLIENTS_DIR := clients
.PHONY: clients-deps typed-clients

clients-deps: install-dev $(CLIENTS_DIR)/node_modules/.package-lock.json

$(CLIENTS_DIR)/node_modules/.package-lock.json: $(CLIENTS_DIR)/package-lock.json
	cd $(CLIENTS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

typed-clients: clients-deps
	$(BIN)/python -m harness.typed_clients
