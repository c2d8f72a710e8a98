# Quickstart: `make run` (ingest sample_reports/ into ./data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REPORTS ?= sample_reports
OUT ?= data
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: run test test-fast lint install clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/workreview run $(REPORTS) --out $(OUT)

test: install
	$(BIN)/pytest -q

# The edit-test loop: no Prefect server, no browser, no crash loops, no wheel build or training.
test-fast: install
	$(BIN)/pytest -q -n 2 -m "not slow and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OUT) .prefect
