# geomap — two commands set everything up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
GEOMAP := $(VENV)/bin/geomap
DEMO_OUT ?= out/demo

.PHONY: install sysdeps sysdeps-run demo test lint bench clean

# Python environment: a venv with geomap installed editable plus the dev tools.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Debian packages, installed with apt when missing (CI and developers run as root): what the
# reports need to write PDF (run), and the real clients the tests drive (test): scripts/sysdeps.sh.
sysdeps-run:
	@bash scripts/sysdeps.sh run

sysdeps:
	@bash scripts/sysdeps.sh test

demo: install sysdeps-run
	$(GEOMAP) route data/lagesbild_2025_synthetic.csv data/trygghetsvandringar_synthetic.gpkg \
	    data/hard_cases_synthetic.csv data/hard_cases_swapped_xy_synthetic.csv \
	    data/hard_cases_cp1252_synthetic.csv \
	    --owners data/owners_synthetic.gpkg --registry data/owners.toml \
	    --responsibility data/driftansvar_synthetic.gpkg --rules data/rules.toml \
	    -o $(DEMO_OUT) --overwrite
	for owner in huddinge_kommun huddinge_samhallsfastigheter huge_bostader; do \
	    $(GEOMAP) layers validate data/skotsel_$${owner}_synthetic.gpkg --owner $$owner \
	        --report $(DEMO_OUT)/skotsel/validering_$$owner.json --overwrite || exit 1; \
	    $(GEOMAP) layers translate data/skotsel_$${owner}_synthetic.gpkg --owner $$owner \
	        -o $(DEMO_OUT)/skotsel/skotsel_$${owner}_delad.gpkg --overwrite || exit 1; \
	done
	$(GEOMAP) layers export $(DEMO_OUT)/skotsel/skotsel_huddinge_kommun_delad.gpkg \
	    $(DEMO_OUT)/skotsel/skotsel_huddinge_samhallsfastigheter_delad.gpkg \
	    $(DEMO_OUT)/skotsel/skotsel_huge_bostader_delad.gpkg \
	    -o $(DEMO_OUT)/skotsel/export --overwrite

test: install sysdeps
	$(PY) -m pytest

# ruff (with McCabe complexity and numpydoc docstrings), mypy, and the layout's import contracts.
lint: install
	$(VENV)/bin/ruff check geomap tests benchmarks
	$(VENV)/bin/ruff format --check geomap tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
