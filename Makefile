# The two README commands: `make run` (set up, ingest, serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
BENCH_STORE ?= .veiviser-bench
SHARED ?= ../shared/benchmarks
SOAK_SECONDS ?= 300

.PHONY: run setup ingest serve test eval bench i18n clean

run: setup ingest serve

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@if [ ! -x "$(UV)" ]; then python3 -m venv .tools && .tools/bin/pip install --quiet uv==$(UV_VERSION); fi
	$(UV) sync --frozen --python 3.11
	@touch $@

ingest: setup
	$(BIN)/veiviser ingest

serve: setup
	$(BIN)/veiviser serve

test: setup
	bash scripts/test-services.sh
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/python -m benchmarks.run_eval --shared $(SHARED) --store $(BENCH_STORE) --readme README.md

bench: setup
	$(BIN)/python -m benchmarks.run_bench --shared $(SHARED) --store $(BENCH_STORE) --readme README.md --soak-seconds $(SOAK_SECONDS)

i18n: setup
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k translate:2 -k N_ -o bot/locale/veiviser.pot --project=veiviser --omit-header --no-location --sort-output -w 120 .
	$(BIN)/pybabel update -i bot/locale/veiviser.pot -d bot/locale -D veiviser -w 120 --ignore-pot-creation-date
	$(BIN)/pybabel compile -d bot/locale -D veiviser

clean:
	rm -rf $(VENV) .tools .veiviser .pytest_cache
