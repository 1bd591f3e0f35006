# One conventional way to develop the nine distributions together: editable pip installs
# into one virtual environment. A fresh machine needs Python 3.11, pip and (for diagrams, Chinese
# text in charts and PDF guides) a few Debian packages, which `setup` installs when run as root.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system
CONFIG ?= examples/liaocheng.toml
OUT ?= out
SIZE ?= 20000
SEED ?= 20260101
# The suite on two workers (storage tests each have their own SQLite file or PostgreSQL
# schema); modules stay whole on one worker so their shared fixtures are built once.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: setup system demo test lint bench clean

# Debian packages: graphviz renders loop diagrams and the guides' flowcharts; fonts-noto-cjk
# draws Chinese in charts and PDFs; Pango (libpango-1.0-0, libpangoft2-1.0-0) is what
# WeasyPrint lays the PDF guides out with; chromium and chromium-driver are the headless browser
# the web console's tests drive (through Playwright, never a browser downloaded by it).
DEBS := graphviz fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 chromium chromium-driver
$(SYSTEM_STAMP):
	@mkdir -p $(VENV)
	@if command -v dot >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk" \
	  && ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" \
	  && command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS) >/dev/null; \
	else echo "note: install the Debian packages $(DEBS) for diagrams, charts, PDF guides and the console's browser tests"; fi
	@touch $(SYSTEM_STAMP)

$(STAMP): core/pyproject.toml $(wildcard plugins/*/pyproject.toml) requirements-dev.txt | $(SYSTEM_STAMP)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -e "core[pdf]" $(addprefix -e ,$(PLUGINS))
	touch $(STAMP)

setup: $(STAMP)
system: $(SYSTEM_STAMP)

# The main job on the embedded default (SQLite), `onething demo`: one double-random cycle end to
# end for 聊城市 — a synthetic registry and inspector pools imported, the unified item list, the
# plan drawn and verified, the joint inspections simulated, their findings through the closed
# loop, host-platform events, guides and publications where installed, the pilot evaluation,
# and $(OUT)/index.html linking everything. Each run rebuilds $(OUT) (--force).
demo: $(STAMP)
	$(BIN)/onething demo --config $(CONFIG) --out $(OUT) --size $(SIZE) --seed $(SEED) --force

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark, each figure beside its baseline from the same run: benchmarks/results.md and
# benchmarks/results.json (BENCH_ARGS=--quick for smaller sizes).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
