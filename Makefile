# Newsroom — every set-up step lives here so a fresh machine needs only `make run` or `make test`.
PYTHON_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser run worker test lint format bench bench-pages eval clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium (Playwright's own browser download is not available here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The server, with one task worker beside it (background imports, issue 13): both stop
# together on Ctrl-C. Set NEWSROOM_TASKS=rq to use Redis instead and run `rqworker`s yourself.
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(PY) manage.py import_articles --publish fixtures/seeds
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(PY) manage.py ensure_editor
	export DJANGO_DEBUG=$${DJANGO_DEBUG-1}; \
	if [ "$${NEWSROOM_TASKS:-db}" = db ]; then \
		$(PY) manage.py db_worker --no-reload & WORKER=$$!; \
		trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# One task worker for the backend NEWSROOM_TASKS picks (the database by default, RQ with
# `rq`); run several for more throughput.
worker: install
	export DJANGO_DEBUG=$${DJANGO_DEBUG-1}; \
	if [ "$${NEWSROOM_TASKS:-db}" = rq ]; then \
		exec $(PY) manage.py rqworker --job-class django_tasks_rq.Job default; \
	else \
		exec $(PY) manage.py db_worker --no-reload; \
	fi

# Tests run with production settings (DEBUG off) and a throw-away secret key.
test: install browser
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
		$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Performance figures (not pass/fail): pipeline, pathological inputs, import, API, search, a
# mixed load over gunicorn, and one background worker against two. About 30 minutes.
# `make bench-pages` times every public page at 100,000 articles on SQLite and PostgreSQL
# (building them takes a while).
bench: install
	$(PY) bench/bench_pipeline.py
	$(PY) bench/bench_pathological.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_api.py
	$(PY) bench/bench_search.py
	$(PY) bench/bench_load.py
	$(PY) bench/bench_workers.py

bench-pages: install
	$(PY) bench/bench_pages.py

# Extraction quality (figures, not pass/fail): house articles, the development corpus beside the
# checkout (../shared/corpora/polnear-train, skipped when absent) and confidence calibration.
# About 20 seconds. Options go through EVAL_ARGS, e.g. EVAL_ARGS="--group-by publisher".
eval: install
	$(PY) bench/eval.py $(EVAL_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis staticfiles
