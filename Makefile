# dbconsole — two commands: `make run` starts the product, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_TEST_PACKAGES := postgresql-15 postgresql-15-hypopg redis-server chromium curl jq

.PHONY: run test lint typecheck pytest bench system-deps venv clean-state help

help:
	@echo "make run    - start dbconsole on http://127.0.0.1:8000 (embedded PostgreSQL 18 + Redis + demo;"
	@echo "              the demo runs on PostgreSQL 15 with HypoPG when installed: make system-deps, as root)"
	@echo "make test   - ruff, mypy and the whole test suite on real PostgreSQL 15/18, Redis and Chromium"
	@echo "make bench  - benchmarks (prints 'bench NAME key=value' lines)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages the test suite needs (PostgreSQL 15 + HypoPG also give make run's demo HypoPG-checked
# advice), installed only when we are root with apt and they are missing.
system-deps:
	@missing=""; for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "missing Debian packages:$$missing (install them, or the tests that need them skip; with CI=true they fail)"; fi; \
	fi

run: $(STAMP)
	$(PY) -m dbconsole.embedded.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy pgsql dbconsole monitoring advisor alerts api bench tests

pytest: $(STAMP) system-deps
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: $(STAMP) system-deps
	$(PY) -m bench

clean-state:
	@echo "this deletes .dbconsole/ (history, secrets, admin password)"; rm -rf .dbconsole
