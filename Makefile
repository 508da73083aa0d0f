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

# zbar reads QR codes in the tests as phone apps do (pyzbar needs Debian's libzbar0, which
# zbar-tools brings with zbarimg); installed as root, only when zbarimg is missing.
.PHONY: zbar
$(STAMP): | zbar
zbar:
	@command -v zbarimg >/dev/null || { apt-get update && apt-get install -y zbar-tools; }

# Run the pipeline with this folder as the office home (created on first run).
run: $(STAMP)
	@test -f kkwna.toml || $(BIN)/kkwna --home . init
	$(BIN)/kkwna --home . watch $(WATCH_ARGS)

test: $(STAMP)
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy pipeline

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
