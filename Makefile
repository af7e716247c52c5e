# Settlement Workbench: every target installs what it needs into .venv first.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= demo.sqlite

.PHONY: install demo test lint format bench installer clean

$(STAMP): pyproject.toml
	test -x $(PY) || "$$(tools/python312)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: create a demo settlement database and open it in the workbench
demo: $(STAMP)
	$(BIN)/settlement-workbench demo --db $(DEMO_DB) --force
	$(BIN)/settlement-workbench $(DEMO_DB)

## test: lint, layer contracts and the whole test suite (what CI runs); installs the servers the
## tests start (PostgreSQL, MariaDB, RabbitMQ) from the distribution's packages when missing.
## The suite runs in TEST_WORKERS processes (each starts its own servers), then the tests marked
## `timing` (bounds on time or on the GUI thread's waits) run alone, on a machine nothing else loads.
TEST_WORKERS ?= 2
test: lint
	tools/install-test-servers
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(TEST_WORKERS) -m "not timing" --durations=30
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m timing --durations=10

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the benchmarks (figures are ratios against a baseline measured in the same run)
bench: $(STAMP)
	$(PY) -m benchmarks

## installer: the one-folder PyInstaller bundle in dist/settlement-workbench (see installer/BUILD.md)
installer: $(STAMP)
	$(BIN)/pyinstaller installer/settlement_workbench.spec --noconfirm --distpath dist --workpath build/pyinstaller
	cp installer/linux/install.sh dist/settlement-workbench/
	du -sh dist/settlement-workbench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis $(DEMO_DB)
