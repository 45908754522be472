# Two commands (see README): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run setup serve test bench clean-home

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Fresh machine → running service on the bundled (synthetic) Chongqing demo world.
run: install
	$(BIN)/matcher setup
	$(BIN)/matcher serve

setup: install
	$(BIN)/matcher setup

serve: install
	$(BIN)/matcher serve

# The whole test suite (CI runs exactly this).
test: install
	$(BIN)/python -m pytest -q

clean-home:
	rm -rf var/default
