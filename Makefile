# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
DB ?= var/talentmatch.db
HOST ?= 127.0.0.1
PORT ?= 8000

export TALENTMATCH_DB ?= $(DB)

.PHONY: run test lint format browser demo clean lock translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions in requirements.lock (`make lock` updates it; see README).
$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip -c requirements.lock
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c requirements.lock
	touch $@

# Re-resolve the lock after a change to pyproject.toml, keeping every pin it can;
# `make lock UPGRADE="--upgrade-package scikit-learn"` moves one package (or `--upgrade`, all).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv -c requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--annotation-style line --quiet $(UPGRADE) -o requirements.lock

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work here.
browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(INSTALLED) browser lint
	$(BIN)/python -m pytest

demo: $(INSTALLED)
	@mkdir -p $(dir $(DB))
	$(BIN)/talentmatch demo --if-empty
	$(BIN)/talentmatch train
	$(BIN)/talentmatch users create-demo

# Every process learns the address the web app listens on, so that links in the emails the
# scheduler and the app send lead there (TALENTMATCH_BASE_URL, when set, wins).
run: demo
	@echo "Starting the local mail catcher, the scheduler and the web app on http://$(HOST):$(PORT)"
	@export TALENTMATCH_HOST='$(HOST)' TALENTMATCH_PORT='$(PORT)'; \
	trap 'kill 0' INT TERM EXIT; \
		$(BIN)/talentmatch mailcatcher & \
		$(BIN)/talentmatch scheduler & \
		$(BIN)/talentmatch serve --host $(HOST) --port $(PORT) --processes 2

# Extract every wrapped string, merge new ones into the French catalog, compile it.
# Untranslated or fuzzy entries then fail tests/test_i18n_catalog.py, which lists them.
CATALOGS := matcher/i18n/translations
translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project talentmatch -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) -l fr \
		--width 100 --ignore-obsolete
	$(BIN)/pybabel compile -d $(CATALOGS) --statistics

clean:
	rm -rf var/ .pytest_cache .ruff_cache
