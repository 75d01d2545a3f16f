# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the app on its embedded default (SQLite in instance/, demo data, printed logins).
run: $(STAMP)
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) seed reference
	FLASK_DEBUG=1 $(FLASK) seed demo --if-empty
	FLASK_DEBUG=1 $(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## Benchmarks (not part of `make test`): a generated 5,000-group network with ~1M records.
BENCH_DB ?= .bench/scale.sqlite3
BENCH_URL = sqlite:///$(abspath $(BENCH_DB))
bench: $(STAMP)
	mkdir -p $(dir $(BENCH_DB))
	test -f $(BENCH_DB) || (DATABASE_URL=$(BENCH_URL) FLASK_DEBUG=1 INSTANCE_PATH=$(abspath .bench) $(FLASK) db upgrade \
	  && DATABASE_URL=$(BENCH_URL) FLASK_DEBUG=1 INSTANCE_PATH=$(abspath .bench) $(FLASK) seed scale --groups 5000 --records 1000000 --today 2026-11-22)
	BENCH_DATABASE_URL=$(BENCH_URL) $(BIN)/python -m pytest tests/benchmarks/bench_flags.py -p no:cacheprovider \
	  --benchmark-columns=min,median,max,rounds
