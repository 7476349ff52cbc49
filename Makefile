# PES — common tasks. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2025
DEMO_SIZE ?= tiny
OCDS_SDISTS ?= $(HOME)/.cache/pes-ocds

.PHONY: install run serve test test-fast bench bench-quick load lint format messages clean

# The OCDS 1.1 schemas ship only inside the source archives of ocdsmerge, ocdskit and
# ocdsextensionregistry on PyPI; the OCDS validation tests read them from $(OCDS_SDISTS)
# (pes/procurement/tests/ocds_schema.py). Without them those tests are skipped.
$(STAMP): pyproject.toml
	$(PYTHON) tools/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	-$(BIN)/python -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
		-d $(OCDS_SDISTS) ocdsmerge==0.8.0 ocdskit==1.7.0 ocdsextensionregistry==0.7.0
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --size $(DEMO_SIZE) --seed $(SEED) --if-empty
	@echo "PES is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser"

# The benchmark suite (bench/README.md): SQLite metro, PostgreSQL metro and national, the
# matching benchmark and a 2-minute load test on the national case -> bench/results.json.
LOAD_SECONDS ?= 120
bench: install
	$(BIN)/python -m bench --load $(LOAD_SECONDS)

bench-quick: install
	$(BIN)/python -m bench --quick --load 10 --out /tmp/pes-bench-quick.json

# The load test alone, against the database in DATABASE_URL (seed it first: make run, or
# manage.py seed_demo --size metro): gunicorn with 2 workers, 50 users, LOAD_SECONDS.
load: install
	$(BIN)/python -m bench.load --seconds $(LOAD_SECONDS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pes bench
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l it --ignore ".venv/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages -l it --ignore ".venv/*"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
