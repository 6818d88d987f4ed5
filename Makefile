# The two commands: `make run` (serve the portal) and `make test` (run the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup install data lint bench soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The message catalogues (English and 简体中文), compiled in pure Python (polib): no gettext needed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/python -m oncology_portal.catalogues

install: $(STAMP) $(MO_FILES)

# Migrate and load the seed data (idempotent: a second run changes nothing).
setup: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py load_portal_data

run: setup
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two workers on a 2-core machine: each loads the seed data once and runs its own live server.
PYTEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# PostgreSQL benchmark at seed and large scale (own databases; see bench/README.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# 60 s at 64 connections against gunicorn (gunicorn.conf.py) on PostgreSQL (its own database,
# portal_soak): prints socket errors, non-2xx and p99 (see bench/soak.py; needs wrk).
soak: install
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
