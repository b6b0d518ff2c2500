# ocpp-toolkit: every entry point a newcomer needs. Only python3 and make are assumed
# (node/npm for the MicroPython test, as on the CI machine).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
MPY_PKG := @micropython/micropython-webassembly-pyscript@1.27.0
MPY_DIR := .micropython
MPY_MJS := $(MPY_DIR)/node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs

.PHONY: all test demo bench bench-e2e lint typecheck pytest codegen micropython docs docs-serve clean

all: test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(MPY_MJS):
	mkdir -p $(MPY_DIR)
	npm install --silent --no-audit --no-fund --prefix $(MPY_DIR) $(MPY_PKG)

micropython: $(MPY_MJS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check ocpp_core bindings tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict   # files: ocpp_core and the bindings (pyproject.toml)

pytest: $(STAMP) $(MPY_MJS)
	$(BIN)/python -m pytest -q -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/ocpp-toolkit demo

bench: $(STAMP)
	$(BIN)/python bench/codec.py

# End to end: our CSMS, mobilityhouse's and a bare websockets echo under N stations
# (bench/README.md); BENCH_E2E_ARGS="--n 100,1000,10000" for more.
bench-e2e: $(STAMP)
	$(BIN)/python bench/e2e.py $(BENCH_E2E_ARGS)

codegen: $(STAMP)
	$(BIN)/python -m tools.codegen

# The documentation site (mkdocs-material, mkdocs.yml): built into site/, strict, so a
# broken link or a page missing from the nav fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict

clean:
	rm -rf $(VENV) $(MPY_DIR) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
