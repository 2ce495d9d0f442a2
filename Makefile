# pcf: the two quick-start commands are `make run` and `make test` (see README.md).
# Works on a fresh machine with Python 3.11, pip and make; needs only the package registry.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.pcf-installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install setup run test test-all bench clean

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

# The whole suite except the tests that need a PostgreSQL server (.ci/run adds those).
test: setup
	$(BIN)/python -m pytest -m "not postgres"

bench: setup
	$(BIN)/python benchmarks/bench_engine.py
	@if [ -f benchmarks/bench_api.py ]; then $(BIN)/python benchmarks/bench_api.py; fi

# Removes the environment and caches, never var/ (the signing key and the application
# database live there).
clean:
	rm -rf $(VENV) var/test-home var/bench .pytest_cache .hypothesis
