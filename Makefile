# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UI_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test test-fast test-scale ui sql lint fuzz bench clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	# bytecode up front: with PYTHONDONTWRITEBYTECODE set, every command would compile the
	# package from source again (~0.05 s of each `timeline` start)
	$(BIN)/python -m compileall -q pipelines
	touch $@

install: $(STAMP)

run: $(STAMP) ## ingest seeds/ into warehouse/timeline.duckdb and print the timeline
	$(BIN)/timeline run --seeds seeds --db warehouse/timeline.duckdb

test: $(STAMP) ## ruff, then every test but the long fuzz runs
	$(BIN)/ruff check .
	$(BIN)/pytest -q

test-fast: $(STAMP) ## ruff, then the tests that need no subprocess pipeline, UI or browser (under a minute)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m 'not fuzz and not scale and not slow'

test-scale: $(STAMP) ## Postgres instance, warehouse locks on Postgres, celery executor tests (need the servers; .ci/services starts them)
	$(BIN)/pip install --quiet -e '.[test,scale]'
	$(BIN)/pytest -q -m scale tests/dagster

fuzz: $(STAMP) ## Hypothesis with 10,000 examples per property
	$(BIN)/pytest -q -m fuzz -p no:cacheprovider

sql: $(STAMP) ## the duckdb shell on warehouse/timeline.duckdb, read-only, with the macros
	$(BIN)/timeline sql --db warehouse/timeline.duckdb

ui: $(STAMP) ## the Dagster UI on http://127.0.0.1:3000, with history kept in .dagster_home/
	mkdir -p $(UI_HOME)
	cp dagster.yaml $(UI_HOME)/dagster.yaml
	DAGSTER_HOME=$(UI_HOME) $(BIN)/dagster dev -h 127.0.0.1 -p 3000  # the code location zh_news_timeline, from pyproject.toml

# bench compiles the project's bytecode first, as installing a package does: where
# PYTHONDONTWRITEBYTECODE is set (this sandbox), every measured process would otherwise
# compile again the modules edited since their bytecode was last written.
bench: $(STAMP) ## speed and memory against JioNLP and dateparser, the warehouse at 10k and 100k articles (see bench/)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m compileall -q pipelines bench >/dev/null
	$(BIN)/python -m bench.run

clean:
	rm -rf warehouse/*.duckdb warehouse/timeline.log warehouse/.timeline* .dagster_home
