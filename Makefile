# assay — the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Offline machines load advisories from a local OSV mirror instead of `assay db sync`.
# On the team's machines and in CI the shared data set is that mirror.
ASSAY_MIRROR ?= $(wildcard ../shared/data/osv)
export ASSAY_HOME ?= $(CURDIR)/.assay-demo

.PHONY: install test lint typecheck unit demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n auto -q -p no:cacheprovider

test: lint typecheck unit

demo: install
	ASSAY_MIRROR="$(ASSAY_MIRROR)" $(BIN)/python scripts/demo.py

bench: install
	$(BIN)/python bench/import_db.py
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .assay-demo .pytest_cache .mypy_cache .ruff_cache bench/out
