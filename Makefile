# 一网 (yiwang): two commands to start.  `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test setup keys demo lint messages openapi openapi-check bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "一网 needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP)

## Generate missing keys into var/secrets.env (git-ignored, 0600), migrate, load the demo data
setup: $(STAMP)
	$(BIN)/yiwang setup

## Only the keys: commands that run the system checks refuse to start without them
keys: $(STAMP)
	$(BIN)/yiwang setup --keys-only

## Install, migrate, load the 大埔县 demo data, start web + worker on http://127.0.0.1:8000
run: setup
	$(BIN)/yiwang run

## Install dev dependencies and run the whole suite (browser journeys included)
test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Style (ruff), the layering contract (import-linter) and types (mypy)
lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

messages: $(DEVSTAMP)
	cd yiwang && ../$(BIN)/yiwang makemessages -l zh_Hans --no-obsolete --no-location && ../$(BIN)/yiwang compilemessages -l zh_Hans

## The committed OpenAPI document; CI fails when the API drifts from it
openapi: keys
	$(BIN)/yiwang export_openapi_schema --api yiwang.api.api --indent 2 --sorted > docs/openapi.json

openapi-check: keys
	@$(BIN)/yiwang export_openapi_schema --api yiwang.api.api --indent 2 --sorted > $(VENV)/openapi.json
	@diff -q docs/openapi.json $(VENV)/openapi.json >/dev/null || { echo "docs/openapi.json is out of date: run 'make openapi'"; diff docs/openapi.json $(VENV)/openapi.json | head -40; exit 1; }

bench: $(DEVSTAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
