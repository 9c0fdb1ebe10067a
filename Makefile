# congso — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell scripts/find-python)
BIN := $(VENV)/bin
PIP_FLAGS ?= -q --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run on 2 processes by default (the CI machine has 2 cores).
TEST_WORKERS ?= 2

.PHONY: run test lint typecheck check bench bench-smoke messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e '.[postgres]'
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install $(PIP_FLAGS) -e '.[postgres,dev]'
	touch $@

run: $(VENV)/.runtime
	$(BIN)/congso migrate
	$(BIN)/congso seed --scale demo
	$(BIN)/congso serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy src

check: lint typecheck test

bench: $(VENV)/.dev
	$(BIN)/python bench/run.py

bench-smoke: $(VENV)/.dev
	$(BIN)/python bench/run.py --smoke

messages: $(VENV)/.dev
	cd src/congso && ../../$(BIN)/django-admin makemessages -l en --settings=congso.config.settings && \
		../../$(BIN)/django-admin compilemessages --settings=congso.config.settings

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
