# Thin wrapper: the targets mirror what CI runs (.ci/run calls `make test`).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: run test lint fmt venv venv-dev migrate demo bench bench-scale messages compilemessages deploy-check clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	@echo "Installing requirements.txt into $(VENV) (the first time takes about a minute) ..."
	@$(PIP) install --quiet -r requirements.txt || { \
	  echo "pip failed. psycopg2 is built from source when no wheel fits: it needs gcc and"; \
	  echo "libpq-dev (Debian/Ubuntu: apt-get install gcc libpq-dev)."; exit 1; }
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

## make run: the whole app on this machine, no servers needed (SQLite + file-system broker):
## migrate, demo data, web server + Celery worker with beat; Ctrl-C stops them all.
## PORT=8001 / HOST=0.0.0.0 move the web server; DATABASE_URL / CELERY_BROKER_URL switch to
## PostgreSQL and Redis.
run: venv
	$(PY) manage.py runstack

## make test: lint, the layers (import-linter), types (mypy), Django checks, migrations check,
## then the whole suite on PostgreSQL/Redis.
test: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=presales.settings.test $(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=presales.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=presales.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=presales.settings.test $(VENV)/bin/mypy

fmt: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

## make messages: refresh the catalogues from the source (needs gettext). Translations are kept;
## new strings arrive empty (or fuzzy when similar to an old one). See docs/translations.md.
messages: venv-dev
	$(PY) manage.py makemessages -l zh_Hans -l zh_Hant --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'

## make compilemessages: build the .mo files, which are committed (the app runs without gettext).
compilemessages: venv-dev
	$(PY) manage.py compilemessages --ignore '.venv/*'

## Validate the deployment without a Docker engine: docker-compose.yml (with .env.example's
## variables filled in) and Django's deploy checks. The same checks run in `make test`.
deploy-check: venv-dev
	$(VENV)/bin/pytest tests/presales/test_deploy.py tests/presales/test_settings.py -n 0 -q

bench: venv-dev
	DJANGO_SETTINGS_MODULE=presales.settings.test $(PY) bench/timers.py

# Issue 9: every list and page against its SQL floor (generates presales_*_10k / _100k; see bench/scale.py).
SIZES ?= 10k,100k
REPEAT ?= 20
bench-scale: venv-dev
	$(PY) bench/scale.py --sizes $(SIZES) --repeat $(REPEAT) --reuse

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
