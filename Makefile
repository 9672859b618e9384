# rollbook: `make demo` builds the bundled runbooks into site/; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup browser audit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/rollbook validate
	$(BIN)/rollbook lint
	$(BIN)/rollbook build --out site
	@echo
	@echo "The demo site is in site/. To open it:"
	@echo "  $(BIN)/rollbook serve                          (live preview on http://127.0.0.1:8000/)"
	@echo "  python3 -m http.server --bind 127.0.0.1 --directory site 8000   (the built files as published)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint browser
	$(BIN)/python -m pytest

# What the site's browser tests need: Debian's chromium (driven by Python playwright, which
# cannot download its own browser here) and axe-core from npm (package-lock.json pins it).
CHROMIUM := /usr/bin/chromium
browser: node_modules/.package-lock.json
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "The browser tests need Debian's chromium: apt-get install chromium (as root)."; exit 1; fi; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Lighthouse at mobile settings on the home page and a runbook page; prints the four scores.
audit: setup browser
	$(BIN)/rollbook build --out site
	$(BIN)/python benchmarks/audit.py site

clean:
	rm -rf $(VENV) site node_modules .pytest_cache .ruff_cache
