# Steadyhand — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-sqlite test-postgres lint lint-fast audit audit-ci bench system-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(DEV_STAMP)

## run: set up a virtualenv, migrate the embedded SQLite database, create the demo agency, serve.
run: $(STAMP)
	$(BIN)/steadyhand serve

## test: lint, migration check, then the whole suite on SQLite and on a real PostgreSQL server.
test: $(DEV_STAMP) system-deps lint-fast audit-ci test-sqlite test-postgres

system-deps:
	@scripts/ensure-system-deps.sh

lint-fast: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	DJANGO_SETTINGS_MODULE=steadyhand.config.settings.test $(BIN)/steadyhand makemigrations --check --dry-run
	$(BIN)/mypy

test-sqlite: $(DEV_STAMP)
	$(BIN)/pytest -q

test-postgres: $(DEV_STAMP)
	scripts/with-postgres.sh $(BIN)/pytest -q

## audit: known vulnerabilities in the installed dependencies (asks PyPI's advisory data).
audit: $(DEV_STAMP)
	scripts/audit-deps.sh

# In `make test` a known vulnerability fails the run (exit 1); an advisory service that cannot
# be reached (exit 2) is reported loudly but does not, since the suite must run offline too.
audit-ci: $(DEV_STAMP)
	@scripts/audit-deps.sh || { status=$$?; test $$status -eq 2 && echo "WARNING: dependency audit incomplete (advisory service unreachable)"; }

## lint: ruff, the migration check and mypy (also the first step of `make test`).
lint: lint-fast

## bench: benchmarks (not part of `make test`).
bench: $(DEV_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
