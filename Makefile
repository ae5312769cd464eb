# Interop Hub — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install lint fmt clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs only what the hub needs; `make test` adds the test tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(RUN_STAMP) $(TEST_STAMP)

install: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/hub migrate
	HUB_BASE_URL=$${HUB_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/hub demo
	$(BIN)/hub serve --host $(HOST) --port $(PORT)

# The whole suite runs on embedded SQLite. When HUB_TEST_DATABASE_URL is set
# (CI sets it), the database-backed tests run a second time against it.
# pytest exits 5 when it collected no test: make treats that, like any non-zero
# status, as a failure.
test: $(TEST_STAMP)
	env -u HUB_TEST_DATABASE_URL $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
	if [ -n "$$HUB_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest -n auto -m "not browser" tests/hub $(PYTEST_ARGS); \
	fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache
