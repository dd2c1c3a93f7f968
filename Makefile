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
	$(GEOMAP) route data/lagesbild_2025_synthetic.csv data/lagesbild_2020_2024_synthetic.csv \
	    data/trygghetsvandringar_synthetic.gpkg \
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
	$(GEOMAP) layers export data/invasiva_huddinge_kommun_synthetic.gpkg \
	    data/invasiva_huddinge_samhallsfastigheter_synthetic.gpkg \
	    data/invasiva_huge_bostader_synthetic.gpkg \
	    -o $(DEMO_OUT)/skotsel/invasiva --overwrite
	# the follow-up register: the demo run ingested, the owners' lists, the Open311 export
	$(GEOMAP) register ingest $(DEMO_OUT)/routed.gpkg --register $(DEMO_OUT)/register/arenden.gpkg \
	    --registry data/owners.toml
	$(GEOMAP) register lists --register $(DEMO_OUT)/register/arenden.gpkg -o $(DEMO_OUT)/register/listor --overwrite
	$(GEOMAP) register export open311 --register $(DEMO_OUT)/register/arenden.gpkg \
	    -o $(DEMO_OUT)/register/open311 --overwrite
	# the lägesbild: one week, one tertial (with the register's follow-up), the two-year view
	$(GEOMAP) lagesbild $(DEMO_OUT)/routed.gpkg --week 2025-W47 -o $(DEMO_OUT)/lagesbild/vecka_2025-W47 --overwrite
	$(GEOMAP) lagesbild $(DEMO_OUT)/routed.gpkg --tertial 2025-T3 --register $(DEMO_OUT)/register/arenden.gpkg \
	    -o $(DEMO_OUT)/lagesbild/tertial_2025-T3 --overwrite
	$(GEOMAP) lagesbild $(DEMO_OUT)/routed.gpkg --years 2024-2025 -o $(DEMO_OUT)/lagesbild/ar_2024-2025 --overwrite
	# safety-walk protocols (one per walk and per owner, with follow-up status) and the walkers' template
	$(GEOMAP) protokoll $(DEMO_OUT)/routed.gpkg --all --register $(DEMO_OUT)/register/arenden.gpkg \
	    -o $(DEMO_OUT)/protokoll --overwrite
	$(GEOMAP) protokoll mall -o $(DEMO_OUT)/protokoll_mall.xlsx --overwrite
	# before/after evaluation of the 2021 safety cameras (synthetic measures and effects)
	$(GEOMAP) utvardera data/trygghetskameror_2021_synthetic.gpkg --remarks $(DEMO_OUT)/routed.gpkg \
	    --overlap merge -o $(DEMO_OUT)/utvardering --overwrite

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
