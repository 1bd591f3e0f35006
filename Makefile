# One conventional way to develop the nine distributions together: editable pip installs
# into one virtual environment. Only Python 3.11 and pip are needed on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): core/pyproject.toml $(wildcard plugins/*/pyproject.toml) requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -e core $(addprefix -e ,$(PLUGINS))
	touch $(STAMP)

setup: $(STAMP)

# The main job on the embedded default (SQLite).
demo: $(STAMP)
	$(BIN)/onething plugins --config examples/liaocheng.toml
	$(BIN)/onething validate examples/liaocheng.toml
	$(BIN)/onething params --config examples/liaocheng.toml --domain prepaid_card

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
