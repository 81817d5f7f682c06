# Newswatch: `make run` starts the daemon, `make test` runs the whole suite (what CI runs),
# `make test-fast` the tests not marked slow (no daemon subprocess, full crawl or browser).
# Both create the project's own virtual environment (.venv) from the pinned lock file.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs the tests in one.
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast demo demo-serve clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	exec $(PY) run.py run

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy .
	$(PY) -m pytest -n $(PYTEST_WORKERS)

test-fast: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not slow"

demo: $(STAMP)
	$(PY) run.py demo

demo-serve: $(STAMP)
	$(PY) run.py demo --serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
