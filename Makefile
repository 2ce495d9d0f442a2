# pcf: the two quick-start commands are `make run` and `make test` (see README.md).
# Works on a fresh machine with Python 3.11, pip and make; needs only the package registry.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.pcf-installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install setup run test test-all lint bench clean

# (Re)install when the venv is missing or the pins changed.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# Build the Brightway project from databases/ if missing or stale (idempotent).
setup: $(STAMP)
	$(BIN)/pcf setup

run: setup
	@echo ""
	@echo "pcf API on http://$(HOST):$(PORT)  (OpenAPI: http://$(HOST):$(PORT)/openapi.json, docs: /docs)"
	@echo "Sample request (in another terminal; the first line creates an API key):"
	@echo "  KEY=\$$(.venv/bin/pcf tenants create demo-\$$RANDOM --role engineer)"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/v1/footprints -H \"Authorization: Bearer \$$KEY\" \\"
	@echo "       -H 'Content-Type: application/json' \\"
	@echo "       -d '{\"product\": \"aluminium-coil\", \"variant\": \"recycled\", \"quantity\": 20, \"unit\": \"t\"}'"
	@echo ""
	$(BIN)/pcf serve --host $(HOST) --port $(PORT)

# The fast suite: unit, service, API and CLI tests (slow and PostgreSQL tests deselected by
# the pytest addopts in pyproject.toml).
test: setup
	$(BIN)/python -m pytest

# Everything but PostgreSQL: adds the slow tests (kill -9 crash tests of the real server,
# gunicorn, rebuilds). .ci/run calls it, then the PostgreSQL tests.
test-all: setup
	$(BIN)/python -m pytest -m "not postgres"

# ruff (lint with docstring rules), mypy over pcf/, import-linter contracts. Formatting is
# configured in pyproject.toml but not checked until the code base is reformatted in one go.
lint: install
	$(BIN)/ruff check pcf tests benchmarks
	$(BIN)/mypy pcf
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_montecarlo.py
	@if [ -f benchmarks/bench_api.py ]; then $(BIN)/python benchmarks/bench_api.py; fi
	$(BIN)/python benchmarks/bench_abuse.py
	$(BIN)/python benchmarks/bench_throughput.py
	$(BIN)/python benchmarks/profile_request.py --requests 2000 --top 15

# Removes the environment and caches, never var/ (the signing key and the application
# database live there).
clean:
	rm -rf $(VENV) var/test-home var/bench .pytest_cache .hypothesis
