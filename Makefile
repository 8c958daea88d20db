# infoops — two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= demo-output
SEED   ?= 7

.PHONY: demo test test-fast install bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q --durations=15

# the quick loop while working: no end-to-end worlds, no headless browser
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

demo: $(STAMP)
	$(BIN)/python -m infoops.demo --out $(DEMO_DIR) --seed $(SEED)

# every benchmark script once at a small size (BENCH_SPARK=1 adds Spark local);
# the full-size commands are in docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	BIN=$(BIN) BENCH_DIR=bench-output BENCH_SPARK=$(BENCH_SPARK) benchmarks/run_all.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
