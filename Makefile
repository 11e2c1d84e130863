# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
# The demo's pseudonym key (its identity numbers are synthetic); a real installation sets its own.
DEMO_ENV := LAGESBILD_DEBUG=1 LAGESBILD_PSEUDONYM_KEY=demo:lagesbild-demo-key-for-synthetic-identity-numbers-only

.PHONY: install demo demo-data serve test test-sqlite test-postgres chromium bench clean vendor-css

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
chromium:
	@test -x /usr/bin/chromium || { echo "Installerar Debians chromium ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo-data: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/lagesbild demo load

serve:
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

demo: demo-data serve

test: install chromium
	bash scripts/test.sh

test-sqlite: install chromium
	bash scripts/test.sh sqlite

test-postgres: install chromium
	bash scripts/test.sh postgres

# The design system's compiled CSS (committed under lagesbild/static/vendor/; no JavaScript build step).
NHSUK_VERSION := 10.6.1
vendor-css:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent nhsuk-frontend@$(NHSUK_VERSION) >/dev/null && tar xzf nhsuk-frontend-*.tgz) \
	  && python3 scripts/vendor_css.py $$tmp/package lagesbild/static/vendor/nhsuk-frontend; rc=$$?; rm -rf $$tmp; exit $$rc

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache
