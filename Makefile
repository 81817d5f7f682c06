# Newswatch: `make run` starts the daemon, `make test` runs the whole suite (what CI runs),
# `make test-fast` the tests not marked slow (no daemon subprocess, full crawl or browser).
# Both create the project's own virtual environment (.venv) from the pinned lock file.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist; PYTEST_WORKERS=0 runs the tests in one). make test: three, one more
# than CI's two cores, because most slow tests wait on daemons and servers (four overload two
# cores, and with the cluster tests come near PostgreSQL's default 100 connections);
# make test-fast: one per core.
PYTEST_WORKERS ?= 3
FAST_WORKERS ?= auto

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
	$(PY) -m ruff format --check .
	$(PY) -m mypy .
	$(PY) -m pytest -n $(PYTEST_WORKERS)

test-fast: $(STAMP)
	$(PY) -m pytest -n $(FAST_WORKERS) -m "not slow"

demo: $(STAMP)
	$(PY) run.py demo

demo-serve: $(STAMP)
	$(PY) run.py demo --serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
