# The clinic's assistant: `make run` to start it, `make test` to check it.
# Everything else wraps the usual Rasa commands (rasa train, rasa shell, ...).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

INSTALLED := $(VENV)/.installed
WEBCHAT := node_modules/rasa-webchat/lib/index.js

.PHONY: setup run train shell actions validate test lint format clean soak retention bench

setup: $(INSTALLED) $(WEBCHAT) var

$(VENV)/bin/python:
	$$(scripts/find-python.sh) -m venv $(VENV)

$(INSTALLED): pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[dev]'
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
	$(BIN)/python scripts/serve.py

## shell: staff chat with the assistant in the terminal (starts the action server too)
shell: train
	@SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT=60 $(RASA) run actions --port 5055 & actions=$$!; \
	trap "kill $$actions 2>/dev/null" EXIT; \
	$(RASA) shell --endpoints endpoints.yml

## actions: only the action server
actions: setup
	SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT=60 $(RASA) run actions --port 5055

## validate: check domain, rules and training data for mistakes
validate: setup
	$(RASA) data validate --fail-on-warnings

## test: set everything up and run the whole test suite
test: validate train
	$(BIN)/pytest

## soak: 600 conversations, 50 at once, on free loopback ports: messages, errors, lost turns, latency
soak: train
	$(BIN)/python scripts/soak.py $(SOAK_ARGS)

## retention: delete stored conversations older than RETENTION_DAYS days (default 30)
retention: setup
	$(BIN)/python scripts/retention.py $(RETENTION_ARGS)

## bench: accuracy, latency, throughput, start-up and memory, ours against `rasa init`'s pipeline
bench: train
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf build models results reports .pytest_cache
