# Two commands (see README): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: install install-test install-browser install-postgres web run setup serve test bench clean-home model

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Tests also cover the sentence-transformers backend: torch's CPU build first (pip would otherwise pull
# a multi-GB CUDA build for sentence-transformers), then the `st` extra. The service does not need them.
$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev,st,train,postgres]'
	touch $(TEST_STAMP)

install-test: $(TEST_STAMP)

# The web page's chart library: ECharts from the npm registry (version pinned in web/package-lock.json),
# installed into web/node_modules/ and served by the app at /static/vendor/echarts.min.js (no CDN; not
# committed). Without npm the page still works, without charts.
ECHARTS := web/node_modules/echarts/dist/echarts.min.js
$(ECHARTS): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix web --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm 未找到：网页图表不可用（安装 Node.js/npm 后运行 make web）" >&2; fi

web: $(ECHARTS)

# Browser tests (tests/test_web_browser.py): Debian's chromium + chromium-driver and CJK fonts (apt, once),
# Playwright for Python driving that chromium (its own browser download is never used), and ECharts.
# Quick when everything is already there.
PLAYWRIGHT := playwright==1.65.2
install-browser: $(STAMP) web
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 \
	    || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-noto-cjk; \
	  else echo "chromium 未安装且非 root：浏览器测试将被跳过 / browser tests will be skipped" >&2; fi; fi
	@$(BIN)/python -m pip show -q playwright >/dev/null 2>&1 || $(BIN)/python -m pip install -q '$(PLAYWRIGHT)'

# PostgreSQL server binaries for the tests' throwaway server (eval/throwaway_pg.py): Debian's postgresql
# package (apt, once, as root). The tests start their own cluster on a free loopback port and stop it.
install-postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else echo "PostgreSQL 未安装且非 root：PostgreSQL 测试将失败 / PostgreSQL tests will fail" >&2; fi; fi

# The domain-adapted encoder (≤ 30 min on 2 cores): torch CPU + the training extra, then train, export to ONNX and
# write it under $$MATCHER_HOME/models/ (default var/default). `make run` uses it from then on (indexes rebuilt).
model: install-test
	$(BIN)/python -m models.finetune

# Fresh machine → running service on the bundled (synthetic) Chongqing demo world.
run: install web
	$(BIN)/matcher setup
	$(BIN)/matcher serve

setup: install
	$(BIN)/matcher setup

serve: install web
	$(BIN)/matcher serve

# The whole test suite (CI runs exactly this).
test: install-test install-browser install-postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	MATCHER_TEST_POSTGRES=require $(BIN)/python -m pytest -q

clean-home:
	rm -rf var/default
