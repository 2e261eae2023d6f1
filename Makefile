# The two commands a fresh machine needs are `make run` and `make test`; .ci/run calls
# `make test`. Everything else here serves those two.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8443

.PHONY: run test lint bench freemail thunderbird-xpi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,redis]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/caveat serve --demo $(if $(NEW_DEMO_KEY),--new-demo-key) --host $(HOST) --port $(PORT)

# The storage tests also run on PostgreSQL: scripts/with-postgres starts a throw-away
# server (installing it with apt-get when run as root and it is missing) and removes it
# afterwards; CAVEAT_TEST_POSTGRES=required makes a missing server fail, not skip.
# The browser tests (tests/e2e) drive Debian's Chromium, which scripts/ensure-browser
# installs; CAVEAT_TEST_BROWSER=required makes them fail rather than skip without it.
# scripts/node-test installs Node.js and the add-ins' npm packages the same way.
# The Thunderbird tests (tests/e2e/test_thunderbird.py) run Debian's Thunderbird ESR, which
# scripts/ensure-thunderbird installs; CAVEAT_TEST_THUNDERBIRD=required makes them fail
# rather than skip without it. The XPI is built and linted after the JavaScript tests.
# scripts/ensure-ocr installs Debian's tesseract for reading images in attachments;
# CAVEAT_TEST_OCR=required makes the OCR tests fail rather than skip without it.
# scripts/ensure-redis installs Debian's redis-server, which the tests of rate limit
# counters shared between instances start on a private socket (tests/redis_server.py);
# CAVEAT_TEST_REDIS=required makes them fail rather than skip without it.
test: $(STAMP)
	$(BIN)/ruff check server tests bench
	scripts/ensure-browser
	scripts/ensure-thunderbird
	scripts/ensure-ocr
	scripts/ensure-redis
	CAVEAT_TEST_POSTGRES=required CAVEAT_TEST_BROWSER=required CAVEAT_TEST_THUNDERBIRD=required \
		CAVEAT_TEST_OCR=required CAVEAT_TEST_REDIS=required \
		scripts/with-postgres $(BIN)/python -m pytest
	scripts/node-test
	$(MAKE) --no-print-directory thunderbird-xpi
	scripts/lint-thunderbird dist/caveat-thunderbird.xpi

# The Thunderbird extension as dist/caveat-thunderbird.xpi: generic (address and key in its
# options), or for one deployment with BASE_URL=https://caveat.example.com (and KEY=...).
thunderbird-xpi: $(STAMP)
	$(BIN)/caveat thunderbird-xpi --out dist/caveat-thunderbird.xpi \
		$(if $(BASE_URL),--base-url '$(BASE_URL)') $(if $(KEY),--key '$(KEY)')

lint: $(STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine_time.py
	$(BIN)/python bench/http_throughput.py

freemail: $(STAMP)
	$(BIN)/python -m caveat.freemail update

clean:
	rm -rf $(VENV) build *.egg-info server/*.egg-info .pytest_cache
