# wangge: `make demo` and `make test` on a fresh Debian/Ubuntu machine with Python 3.11+ and
# Node/npm. Every target sets up what it needs and is safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/wangge_bench_cases
BENCH_CITY_URL ?= postgres://postgres@127.0.0.1:5432/wangge_bench_city
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test lint bench bench-city postgis browser messages clean

setup: $(VENV)/.installed node_modules/.package-lock.json

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "wangge needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

demo: setup
	WANGGE_MODE=demo $(BIN)/wangge demo --port $(PORT)

lint: setup
	$(BIN)/ruff check .

# The suite runs on SQLite always, and again on PostgreSQL when WANGGE_TEST_DATABASE_URL is set.
test: setup browser lint
	WANGGE_MODE=test $(BIN)/pytest
	@if [ -n "$$WANGGE_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$WANGGE_TEST_DATABASE_URL"; \
	  WANGGE_MODE=test DATABASE_URL="$$WANGGE_TEST_DATABASE_URL" $(BIN)/pytest; \
	fi

bench: setup
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	WANGGE_MODE=test DATABASE_URL=sqlite:///$(CURDIR)/var/bench/street.sqlite3 \
	  $(BIN)/wangge bench locate --write
	WANGGE_MODE=test $(BIN)/wangge bench ledger --write
	WANGGE_MODE=test $(BIN)/wangge bench open311 --write
	# The case figures and the sweep over 1,000,000 cases need PostgreSQL (BENCH_PG_URL).
	WANGGE_MODE=test DATABASE_URL=$(BENCH_PG_URL) $(BIN)/wangge bench cases --write

# A city (100 streets, about 90,000 micro-grids, 6,000,000 people, 5,000,000 cases) in
# PostgreSQL, then every city-scale figure beside its alternative (PostGIS, DuckDB, ...),
# then a bounded load test with PostgreSQL restarted in the middle (needs root for
# pg_ctlcluster, as on the CI machine).
bench-city: setup postgis
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	WANGGE_MODE=test DATABASE_URL=$(BENCH_CITY_URL) \
	  $(BIN)/wangge bench generate --scale city --replace --write
	WANGGE_MODE=test WANGGE_2FA_REQUIRED=false DATABASE_URL=$(BENCH_CITY_URL) \
	  $(BIN)/wangge bench city --write
	WANGGE_MODE=test DATABASE_URL=$(BENCH_CITY_URL) $(BIN)/wangge bench load --write

# PostGIS from Debian, the alternative `bench city` measures locate against.
postgis:
	@if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  echo "installing Debian's postgresql-15-postgis-3 for the city benchmark"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-15-postgis-3; \
	fi

# Browser tests drive Debian's Chromium (never a downloaded browser) with Chinese fonts.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  echo "installing Debian's chromium and fonts-wqy-microhei for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei; \
	fi

# Regenerate the message catalogues after changing user-facing strings (needs gettext).
messages: setup
	cd wangge && ../$(BIN)/wangge makemessages -l zh_Hans --no-location \
	  --ignore 'node_modules/*' && ../$(BIN)/wangge compilemessages

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .ruff_cache
