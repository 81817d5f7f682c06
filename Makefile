# Newswatch: `make run` starts the daemon, `make test` runs the whole suite.
# Both create the project's own virtual environment (.venv) from the pinned lock file.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo demo-serve clean

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
	$(PY) -m pytest

demo: $(STAMP)
	$(PY) run.py demo

demo-serve: $(STAMP)
	$(PY) run.py demo --serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
