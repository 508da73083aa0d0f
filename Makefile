# Set-up and everyday commands. Only Python 3.11+ is needed beforehand.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run watch test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Run the pipeline with this folder as the office home (created on first run).
run: $(STAMP)
	@test -f kkwna.toml || $(BIN)/kkwna --home . init
	$(BIN)/kkwna --home . watch $(WATCH_ARGS)

# The web door's tests drive Debian's chromium (a browser download of its own cannot run
# here); CI runs as root, so this installs it on a fresh machine. Missing, the tests fail.
CHROMEDRIVER = /usr/bin/chromedriver

$(CHROMEDRIVER):
	apt-get update && apt-get install -y chromium chromium-driver

test: $(STAMP) $(CHROMEDRIVER)
	$(BIN)/pytest -q

test-fast: $(STAMP) $(CHROMEDRIVER)
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy pipeline

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
