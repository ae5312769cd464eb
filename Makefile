# Interop Hub — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install lint fmt clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/hub migrate
	$(BIN)/hub demo
	$(BIN)/hub serve --host $(HOST) --port $(PORT)

# The whole suite runs on embedded SQLite. When HUB_TEST_DATABASE_URL is set
# (CI sets it), the database-backed tests run a second time against it.
# pytest exits 5 when it collected no test: make treats that, like any non-zero
# status, as a failure.
test: $(STAMP)
	env -u HUB_TEST_DATABASE_URL $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)
	if [ -n "$$HUB_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python -m pytest -n auto -m "not browser" tests/hub $(PYTEST_ARGS); \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache
