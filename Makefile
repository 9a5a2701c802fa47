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
# The web UI's browser libraries (htmx, ECharts) come from npm, pinned by the committed
# package-lock.json; the build copies them into the package's static folder (not committed).
FRONTEND := src/assay/web/frontend
VENDOR_MANIFEST := src/assay/web/static/vendor/MANIFEST.json

.PHONY: install web test lint typecheck unit demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $(STAMP)

$(VENDOR_MANIFEST): $(FRONTEND)/package-lock.json $(FRONTEND)/package.json $(FRONTEND)/build.py
	$(PYTHON) $(FRONTEND)/build.py

web: $(VENDOR_MANIFEST)

install: $(STAMP) web

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

unit: install web
	$(BIN)/pytest -n auto -q -p no:cacheprovider

test: web lint typecheck unit

demo: install web
	ASSAY_MIRROR="$(ASSAY_MIRROR)" $(BIN)/python scripts/demo.py

bench: install
	$(BIN)/python bench/import_db.py
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/policy.py
	$(BIN)/python bench/delivery.py

clean:
	rm -rf $(VENV) .assay-demo .pytest_cache .mypy_cache .ruff_cache bench/out
	rm -rf $(FRONTEND)/node_modules src/assay/web/static/vendor tests/web/artifacts
