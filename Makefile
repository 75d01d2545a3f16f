# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean bench bench-clean

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

## Benchmarks (not part of `make test`): pages, queries and exports at 50 groups, 5,000 groups and
## 5,000 groups + 1M records, on SQLite (.bench/) and on PostgreSQL at BENCH_PG_URL when it answers.
## The datasets are built once (`make bench-clean` deletes them); the report goes to .bench/report.md.
BENCH_PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
bench: $(STAMP)
	BENCH_PG_URL=$(BENCH_PG_URL) $(BIN)/python -m tests.benchmarks.datasets build
	BENCH_PG_URL=$(BENCH_PG_URL) $(BIN)/python -m pytest tests/benchmarks/bench_pages.py -p no:cacheprovider \
	  --benchmark-columns=median,rounds --benchmark-sort=name $(BENCH_ARGS)

bench-clean: $(STAMP)
	BENCH_PG_URL=$(BENCH_PG_URL) $(BIN)/python -m tests.benchmarks.datasets clean

## Load test (not part of `make test`): locust against gunicorn (2 workers, 127.0.0.1) on the
## 5,000-group network (.bench/load-5000.sqlite3, built once; PostgreSQL too with
## BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres). Report: .bench/load-report.md.
## Options: make loadtest LOADTEST_ARGS="--users 8 --rate 150 --duration 60" (see --help).
.PHONY: loadtest
loadtest: $(STAMP)
	$(BIN)/python -c 'import locust' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tests.benchmarks.load_run $(LOADTEST_ARGS)
