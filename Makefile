# coopere — two commands: `make run` (demo site on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app coopere
HOST   ?= 127.0.0.1
PORT   ?= 5000
DEMO_PASSWORD ?= voisins-solidaires
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# Tests run in parallel, one worker per core (pytest-xdist); WORKERS=0 runs them in one process.
WORKERS ?= auto

.PHONY: run test lint lint-security test-sqlite test-postgresql bench install system-packages postgres translations clean help

help:
	@echo "make run    – install, create a demo perimeter if none exists, serve on http://$(HOST):$(PORT)"
	@echo "make test   – install what the tests need and run them all (SQLite, then PostgreSQL if reachable)"
	@echo "make lint   – check the layout and the code with ruff (settings in pyproject.toml)"
	@echo "make bench  – run the benchmarks (each prints one JSON object as its last line)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@if [ -d coopere/translations/en ]; then $(BIN)/pybabel -q compile -d coopere/translations; fi

system-packages:
	@bash scripts/system-packages.sh

postgres:
	@bash scripts/postgres-start.sh

# Links in emails and QR codes come from PUBLIC_URL only: the demo site's own address, unless set.
run: export COOPERE_PUBLIC_URL ?= http://$(HOST):$(PORT)
# Background tasks (print runs, emails) run at once inside the demo site: no consumer to start.
run: export COOPERE_QUEUE_URL ?= immediate
run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty --password "$(DEMO_PASSWORD)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Both legs always run; the target fails if either failed.
test: install system-packages postgres
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgresql || status=1; \
	exit $$status

# ruff over the whole tree (settings in pyproject.toml [tool.ruff]): the layout `ruff format` gives,
# then the checks; any finding fails the build, before the tests run.
lint: install
	@echo "=== Lint: ruff ==="
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# bandit over the application code (settings in pyproject.toml [tool.bandit]): any finding not
# silenced by a justified `# nosec BXXX` fails the build, before the tests run.
lint-security: install
	@echo "=== Security lint: bandit ==="
	$(BIN)/bandit -c pyproject.toml -r coopere -q

# The page scans' screenshots only when asked (make test COOPERE_SHOTS=/tmp/coopere-shots).
test-sqlite: export COOPERE_SHOTS ?=
test-sqlite: install lint lint-security
	@echo "=== Test leg 1/2: SQLite ==="
	COOPERE_TEST_DB=sqlite $(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

test-postgresql: install
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(PG_TEST_URL)'.replace('+psycopg', ''), connect_timeout=3).close()" 2>/dev/null; then \
		echo "=== Test leg 2/2: PostgreSQL ($(PG_TEST_URL)); browser (e2e) tests, tests without a database and tests of wording and roles (one_database) run in leg 1 only ==="; \
		COOPERE_TEST_DB=postgresql COOPERE_TEST_PG_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest -n $(WORKERS) -m "not e2e and not no_database and not one_database" $(PYTEST_ARGS); \
	else \
		echo "=== Test leg 2/2: PostgreSQL SKIPPED: no server reachable at $(PG_TEST_URL) ==="; \
	fi

bench: install system-packages
	@for script in benchmarks/*.py; do \
		echo "=== $$script ==="; \
		$(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
