# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

VENDOR ?= ../shared/reference/voucherify-full.openapi.json

.PHONY: run test bench lint clean spec-drift spec-drift-baseline

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m emulator $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/run.py

# What a vendor document (VENDOR=path) says differently from openapi/customers.yaml, less the
# accepted differences in openapi/drift-baseline.txt; exit status 1 on new drift.
spec-drift: $(STAMP)
	$(PY) -m emulator.contract.drift $(VENDOR)

spec-drift-baseline: $(STAMP)
	$(PY) -m emulator.contract.drift $(VENDOR) --write-baseline

lint: $(STAMP)
	$(PY) -m ruff check emulator tests bench
	$(PY) -m mypy

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache
