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

# What the tests need from Debian, installed (as root, like CI) only when missing; without
# them the tests fail, they do not skip: chromium and its driver for the web door's browser
# tests (a browser download of its own cannot run here), zbar to read QR codes as phone
# apps do (pyzbar loads its libzbar0), poppler's pdftoppm to draw forms as Evince does.
.PHONY: test-tools
test-tools:
	@missing=""; \
	command -v chromedriver >/dev/null || missing="$$missing chromium chromium-driver"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then apt-get update && apt-get install -y $$missing; fi

# both cores (pytest-xdist), a test file per worker so module fixtures are built once
test: $(STAMP) test-tools
	$(BIN)/pytest -q -n 2 --dist loadfile

test-fast: $(STAMP) test-tools
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy pipeline

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
