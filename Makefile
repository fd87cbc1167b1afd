# The clinic's assistant: `make run` to start it, `make test` to check it.
# Everything else wraps the usual Rasa commands (rasa train, rasa shell, ...);
# `make help` lists the targets.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# no usage or crash reports sent to Rasa: they could hold patients' words
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)

INSTALLED := $(VENV)/.installed
WEBCHAT := node_modules/rasa-webchat/lib/index.js

.PHONY: help setup run cluster train shell report actions validate test lint format lock clean soak retention bench bench-cluster

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /' -e 's/: /\t/' | expand -t 20

## setup: create .venv from requirements.lock and install the chat widget
setup: $(INSTALLED) $(WEBCHAT) var

$(VENV)/bin/python:
	$$(ops/find-python.sh) -m venv $(VENV)

$(INSTALLED): pyproject.toml requirements.lock $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The website chat widget (rasa-webchat, pinned in package-lock.json); no install scripts run.
$(WEBCHAT): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

var:
	mkdir -p var

## train: train a model if config, domain, data or lexicons changed (else keeps the current one)
train: setup
	$(RASA) train --fixed-model-name clinic-assistant

## run: start the action server, the Rasa server and the web page; prints the addresses
run: train
	$(BIN)/python -m ops.serve

## cluster: two Rasa servers behind nginx on PostgreSQL and Redis, on this machine (a rehearsal)
cluster: train
	$(BIN)/python -m ops.cluster

## shell: staff chat in the terminal: whole answers, numbered choices (DEBUG=1: what was understood)
shell: train
	$(BIN)/python -m ops.staff_shell $(if $(DEBUG),--debug,)

## report: what patients asked, what went unanswered, red flags, feedback (REPORT_DAYS, 30)
report: setup
	$(BIN)/python -m ops.report $(REPORT_ARGS)

## actions: only the action server
actions: setup
	$(BIN)/python -m ops.serve actions

## validate: check domain, rules, training data and the catalog's citations; list answers to review
validate: setup
	$(RASA) data validate --fail-on-warnings
	$(BIN)/python -m clinic.check

## test: set everything up, lint, and run the whole test suite
test: lint validate train
	$(BIN)/pytest

## lint: ruff (style, imports, complexity) and formatting
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## format: apply ruff's fixes and formatting
format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## lock: re-resolve every Python package from pyproject.toml into requirements.lock
lock: $(VENV)/bin/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python $(BIN)/python \
	  --no-header --output-file requirements.lock.new
	{ sed -n '1,2p' requirements.lock; cat requirements.lock.new; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock; rm -f requirements.lock.new
	@echo "requirements.lock refreshed: run make test"

## soak: 600 conversations, 50 at once, on free loopback ports: messages, errors, lost turns, latency
soak: train
	$(BIN)/python -m ops.soak $(SOAK_ARGS)

## retention: delete stored conversations older than RETENTION_DAYS days (default 30)
retention: setup
	$(BIN)/python -m ops.retention $(RETENTION_ARGS)

## bench: accuracy per corpus, latency, throughput, start-up and memory, ours against `rasa init`'s pipeline
bench: train
	$(BIN)/python -m bench $(BENCH_ARGS)

## bench-cluster: throughput and latency: one server on SQLite, one on PostgreSQL, two behind nginx
bench-cluster: train
	$(BIN)/python -m bench.cluster $(BENCH_ARGS)

## clean: remove built models, results and reports
clean:
	rm -rf build models results reports .pytest_cache
