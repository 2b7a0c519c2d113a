# The two commands a newcomer needs: `make run` and `make test`.
#
# Python packages come from the lock files in requirements/ (exact versions with hashes), never
# from whatever PyPI has newest today: `make lock` refreshes them after pyproject.toml changes,
# `make lock-upgrade` moves every package to its newest allowed release (README "Dependencies").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCKS := requirements/dev.txt requirements/service.txt requirements/uv.txt
# A missing tool or an old Python stops make with one line (`Makefile:N: *** cause: fix.  Stop.`)
# instead of a traceback from the middle of an install; $(error) in a recipe runs when make is
# about to run that recipe, so `make lint` needs no Node and `make clean` no Python.
NEEDS_311 := import sys; sys.exit(sys.version_info < (3, 11))
python_ok = $(shell $(1) -c '$(NEEDS_311)' 2>/dev/null && echo yes)
LOCK := --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: run test install lint bench clean lock lock-upgrade python-check node-check

# The messages are expanded only when their check fails.
OLD_PYTHON = exitbot needs Python 3.11 or newer and $(PYTHON) is \
  $(or $(shell command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1),missing): install Python 3.11+ and run \
  make PYTHON=python3.11 (or newer); nothing was created
OLD_VENV = $(VENV) was made by $(shell $(BIN)/python --version 2>&1), older than 3.11: \
  remove it (rm -r $(VENV)) and run make again
NO_NODE = Node.js is not on PATH (make run starts Agents Playground with it, make test checks \
  cards with it): install Node.js 20+ with npm (Debian: apt-get install nodejs npm) and run \
  make again
NO_NPM = npm is not on PATH (Node.js is): install npm (Debian: apt-get install npm) and run \
  make again

python-check:
	$(if $(call python_ok,$(PYTHON)),,$(error $(OLD_PYTHON)))
	$(if $(wildcard $(BIN)/python),$(if $(call python_ok,$(BIN)/python),,$(error $(OLD_VENV))))

# uv (pinned with hashes in requirements/uv.txt) installs the lock: exact versions, hash-checked.
# A venv this recipe could not finish is removed only if this recipe created it.
$(STAMP): pyproject.toml $(LOCKS) | python-check
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "make: $(PYTHON) -m venv failed (Debian: apt-get install python3-venv) and left no $(VENV)" >&2; \
	  exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/uv.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements/dev.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

node-check:
	$(if $(shell command -v node),,$(error $(NO_NODE)))
	$(if $(shell command -v npm),,$(error $(NO_NPM)))

node_modules/.installed: package.json package-lock.json | node-check
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

install: $(STAMP) node_modules/.installed

## Start the bot with SQLite and the demo configuration next to Microsoft 365 Agents Playground.
run: node-check install
	$(BIN)/exitbot demo

## Run the whole test suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Refresh the locks after a change to pyproject.toml (keeps every pin that still fits).
lock: $(STAMP)
	$(BIN)/uv pip compile $(LOCK) requirements/uv.in -o requirements/uv.txt
	$(BIN)/uv pip compile $(LOCK) pyproject.toml requirements/build.in -o requirements/service.txt
	$(BIN)/uv pip compile $(LOCK) --extra dev -c requirements/service.txt \
	  pyproject.toml requirements/build.in -o requirements/dev.txt

## Every package to its newest release that pyproject.toml allows; run `make test` after.
lock-upgrade: $(STAMP)
	$(MAKE) lock LOCK='$(LOCK) --upgrade'

bench: install
	$(BIN)/python -m bench.turns

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
