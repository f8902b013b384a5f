# `make run` and `make test` work on a fresh machine with only Python 3.11+; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstalls whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test fuzz screenshots bench lint format migrate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

## Embedded mode: SQLite, file-system broker, mail to var/mail/; web + worker + beat until Ctrl-C.
run: $(STAMP)
	$(BIN)/python scripts/run_embedded.py

## Whole suite on PostgreSQL and Redis (started or installed when missing).
test: $(STAMP)
	scripts/ensure_services.sh
	scripts/ensure_browser.sh
	scripts/ensure_tools.sh
	@# Without root the benchmark tools may be missing: their smoke tests then skip (and fail in CI).
	bench/setup.sh || echo "make test: benchmark tools missing; tests/bench will be skipped" >&2
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The API fuzzing of the suite, with many more examples per operation and role.
fuzz: $(STAMP)
	scripts/ensure_services.sh
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest tests/system/test_fuzz.py -s $(PYTEST_ARGS)

## One PNG of every page people see, under var/screenshots/.
screenshots: $(STAMP)
	scripts/ensure_browser.sh
	$(BIN)/python scripts/screenshots.py

## The four benchmarks of docs/BENCHMARKS.md (about 10 minutes on 2 cores); figures in var/bench/.
bench: $(STAMP)
	bench/setup.sh
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/python manage.py migrate

clean:
	rm -rf var $(VENV)
