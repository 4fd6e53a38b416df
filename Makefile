# cobro — developer entry points.  `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/cobro_test
export COBRO_TEST_PG_URL ?= $(PG_URL)

.PHONY: demo test install install-dev lint typecheck pytest pgdb bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	$(BIN)/cobro demo

test: install-dev pgdb lint typecheck pytest

pgdb:
	@command -v psql >/dev/null 2>&1 && { psql "$(dir $(COBRO_TEST_PG_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(COBRO_TEST_PG_URL))'" | grep -q 1 || psql "$(dir $(COBRO_TEST_PG_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(COBRO_TEST_PG_URL))"'; } || echo "psql not found: PostgreSQL tests will be skipped"

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_module_size.py

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/import_rate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache cobro-demo.db* demo-out
