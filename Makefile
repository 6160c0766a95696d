# Two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := $(VENV)/.axe-core

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core (npm) checks the web pages in the browser tests; without npm they are skipped, loudly.
$(AXE): | $(STAMP)
	@if ! command -v npm >/dev/null; then \
		echo "npm not found: no axe-core, so the browser tests will be skipped"; \
	elif npm install --prefix $(VENV) axe-core@4 --no-audit --no-fund --loglevel=error; then \
		touch $(AXE); \
	else echo "npm could not install axe-core: the browser tests will be skipped"; fi

run: $(STAMP)
	$(BIN)/hearth run

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(AXE)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

bench: $(STAMP)
	$(BIN)/python -m bench.run
