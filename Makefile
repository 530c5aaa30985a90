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

.PHONY: run test bench lint clean

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

lint: $(TOOLS)
	$(PY) -m ruff check emulator tests bench
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
