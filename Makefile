# The book's commands. `make handbook` builds every output; `make test` runs the tests;
# `make paperback` builds the print-on-demand paperback into $(OUT)/paperback.
# Each sets up what it needs on a fresh machine: Debian packages, then .venv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PAPER  ?= letter
OUT    ?= build
CHAPTERS ?= chapters
TRIM   ?= 6x9
STOCK  ?= white

# Debian packages: the PDF engine's libraries (and the paperback's printing condition, a CMYK
# profile in libgs-common), and what the tests read outputs with.
BUILD_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libgs-common
TEST_DEBS  := default-jre-headless calibre chromium poppler-utils hunspell-en-us libenchant-2-2

SOURCES := $(shell find $(CHAPTERS) layouts handbook -type f -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: handbook paperback test linkcheck bench bench-links preview clean deps test-deps

handbook: $(OUT)/.manifest.json

# The manifest is written last by a build; its prerequisites are everything a build reads,
# and the paper size of the last build (a marker file that changes when PAPER does).
$(OUT)/.manifest.json: $(VENV)/.installed $(SOURCES) $(OUT)/.paper-$(PAPER)
	@$(PY) -m handbook build --chapters $(CHAPTERS) --out $(OUT) --paper $(PAPER)

$(OUT)/.paper-$(PAPER):
	@mkdir -p $(OUT) && rm -f $(OUT)/.paper-* && touch $@

# The paperback has its own folder and manifest: either edition rebuilds without the other.
paperback: $(OUT)/paperback/.manifest.json

$(OUT)/paperback/.manifest.json: $(VENV)/.installed $(SOURCES) $(OUT)/paperback/.trim-$(TRIM)-$(STOCK)
	@$(PY) -m handbook build --edition paperback --trim $(TRIM) --paper-stock $(STOCK) --chapters $(CHAPTERS) --out $(OUT)

$(OUT)/paperback/.trim-$(TRIM)-$(STOCK):
	@mkdir -p $(OUT)/paperback && rm -f $(OUT)/paperback/.trim-* && touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.debs node_modules/.package-lock.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the project into $(VENV)..."
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

$(VENV)/.debs: Makefile
	@mkdir -p $(VENV)
	@$(MAKE) --no-print-directory deps DEBS="$(BUILD_DEBS)"
	@touch $@

# Installs the missing ones only; needs root (CI and the dev machines run as root).
deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test-deps: $(VENV)/.installed
	@$(MAKE) --no-print-directory deps DEBS="$(TEST_DEBS)"

# The pinned fallback fonts (the build's), axe-core and Ace (the tests'), from package-lock.json.
# Ace drives Debian's chromium: no browser download.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory deps DEBS="nodejs npm"
	@ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund

# The tests run in a temporary folder of their own (pytest's, the browser's, the builds'), removed
# afterwards: a test run leaves nothing behind. Java's performance files would go to /tmp: off.
test: test-deps
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/handbook-tests.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	TMPDIR=$$tmp JAVA_TOOL_OPTIONS="-XX:-UsePerfData" $(PY) -m pytest -q -p no:cacheprovider --basetemp=$$tmp/pytest

linkcheck: $(VENV)/.installed
	@$(PY) -m handbook links --chapters $(CHAPTERS) --external --json $(OUT)/linkcheck.json

# Speed is measured here, never asserted in a test.
bench: $(VENV)/.installed
	@$(MAKE) --no-print-directory deps DEBS="pandoc"
	@$(PY) bench/bench_build.py

bench-links: $(VENV)/.installed
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[bench]'
	@$(PY) bench/bench_links.py

preview: $(VENV)/.installed
	@$(PY) -m handbook preview --chapters $(CHAPTERS) --out $(OUT) --paper $(PAPER)

clean:
	rm -rf $(OUT)
