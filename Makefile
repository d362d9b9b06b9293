# EduPulse — the two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PROVINCE ?= 51
SCALE ?= 1.0
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: demo test install dev lint typecheck messages serve demo-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## make demo: install, create the embedded database, load the demo province and serve the web UI.
demo: install
	@echo "EduPulse 演示：准备嵌入式数据库（SQLite + DuckDB）…"
	@$(BIN)/edupulse migrate --verbosity 0
	@$(BIN)/edupulse load-regions
	@$(BIN)/edupulse demo-data --province $(PROVINCE) --scale $(SCALE) --seed 7 --quiet | sed -n 1p
	@$(BIN)/edupulse collect demo --period 2022
	@$(BIN)/edupulse monitor demo
	@$(BIN)/edupulse basedata demo --import | tail -n 1
	@$(BIN)/edupulse indicators refresh
	@$(BIN)/edupulse analytics sync 2>/dev/null
	@$(BIN)/edupulse collectstatic --noinput --verbosity 0
	@echo ""
	@$(BIN)/edupulse demo-data --province $(PROVINCE) --scale $(SCALE) --seed 7 --quiet --sign-ins
	@echo ""
	@echo "EduPulse demo: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs/; another port: make demo PORT=8080)"
	$(BIN)/edupulse runserver $(HOST):$(PORT) --insecure

## make test: lint, type-check, check the layer contract and translations, run the suite on SQLite and on PostgreSQL.
test: dev
	tools/system-packages
	$(BIN)/ruff check .
	$(BIN)/mypy edupulse
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m edupulse.utilities.i18n --check
	$(BIN)/pytest
	PG_URL=$(PG_URL) tools/pytest-postgres

lint: dev
	$(BIN)/ruff check .

typecheck: dev
	$(BIN)/mypy edupulse

messages: dev
	$(BIN)/python -m edupulse.utilities.i18n

clean:
	rm -rf var/ $(VENV)
