# Two commands set everything up on a fresh machine: `make run` and `make test`.
# `make run` installs the runtime only; `make test`, `make lint` and `make bench` add the
# `test` extra (pytest, the official SDK, openapi-core, schemathesis, Playwright, mypy, ruff,
# build).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# setuptools announces every editable install of a mapped package layout; nothing is wrong.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet
RUNTIME := $(VENV)/.runtime-installed
TOOLS := $(VENV)/.test-installed

VENDOR ?= ../shared/reference/voucherify-full.openapi.json

.PHONY: run test bench lint clean spec-drift spec-drift-baseline

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "voucherify-emulator needs Python 3.11+; $(PYTHON) is older (try PYTHON=python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

$(TOOLS): pyproject.toml | $(PY)
	$(PIP) -e '.[test]'
	touch $@ $(RUNTIME)

run: $(RUNTIME)
	$(PY) -m emulator $(ARGS)

test: $(TOOLS)
	$(PY) -m pytest -q

bench: $(TOOLS)
	$(PY) bench/run.py

# What a vendor document (VENDOR=path) says differently from openapi/customers.yaml, less the
# accepted differences in openapi/drift-baseline.txt; exit status 1 on new drift.
spec-drift: $(RUNTIME)
	$(PY) -m emulator.contract.drift $(VENDOR)

spec-drift-baseline: $(RUNTIME)
	$(PY) -m emulator.contract.drift $(VENDOR) --write-baseline

lint: $(TOOLS)
	$(PY) -m ruff check emulator tests bench
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
