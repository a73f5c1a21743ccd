# Tỉnh Số — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/tinhso
export TINHSO_SHARED_DIR ?= $(abspath ../shared)
# the demo's identity sandbox is reached at this address (its discovery URL)
export TINHSO_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: demo test install lint format test-sqlite test-postgres bench clean messages lock upgrade

# Exactly what CI tested: every package pinned with its hashes (requirements-dev.lock, made by
# `make lock` from pyproject.toml), then the project itself without resolving anything more.
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock"

## make lock: regenerate the lock files after pyproject.toml changed, keeping every pin that
## still satisfies it; make upgrade: move every package to its newest allowed version
lock: install
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

upgrade: install
	$(UV_COMPILE) --upgrade -o requirements.lock
	$(UV_COMPILE) --extra dev --upgrade -o requirements-dev.lock

## make demo: set up everything and serve the platform with demo data on http://127.0.0.1:$(PORT)
demo: install
	TINHSO_DEMO=1 $(PY) manage.py migrate --noinput -v0
	TINHSO_DEMO=1 $(PY) manage.py load_demo
	@echo ""
	@echo "Tỉnh Số: http://127.0.0.1:$(PORT)/   (API: http://127.0.0.1:$(PORT)/api/docs)"
	@# the task worker runs beside the server and is stopped with it
	TINHSO_DEMO=1 $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	TINHSO_DEMO=1 DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, then the whole suite on SQLite and on PostgreSQL
test: install lint test-sqlite test-postgres

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	TINHSO_DEMO=1 $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: install
	@echo "== Test suite on SQLite =="
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== Test suite on PostgreSQL ($(PG_URL)) =="
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL:/tinhso=/postgres)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL): in CI this is a failure."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL is not reachable at $(PG_URL) (outside CI the PostgreSQL pass may skip)."; \
	fi

messages: install
	$(PY) scripts/i18n.py

bench: install
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .import_linter_cache
