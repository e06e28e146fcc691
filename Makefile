# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export ARTICLEQA_HOME ?= $(CURDIR)/index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TRANSFORMERS_VERBOSITY := error

.PHONY: run test setup browser lint typecheck unit demo clean

$(BIN)/.installed: pyproject.toml bot/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e ./bot
	touch $@

setup: $(BIN)/.installed

## run: set up, ingest the sample articles, build the index, answer a sample question, serve HTTP
run: setup
	$(BIN)/articleqa add articles/
	$(BIN)/articleqa index --quiet
	$(BIN)/articleqa ask "Who won the regional science fair?"
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ in a browser to ask questions (Ctrl-C stops)."
	@echo "Or, from another terminal:"
	@echo "  curl -s 'http://$(HOST):$(PORT)/ask?q=Who+won+the+regional+science+fair%3F'"
	@echo "  curl -s -X POST http://$(HOST):$(PORT)/ask -H 'Content-Type: application/json' -d '{\"question\": \"Why was the lower town flooded?\", \"k\": 2}'"
	@echo "API docs: http://$(HOST):$(PORT)/docs"
	exec $(BIN)/articleqa serve --host $(HOST) --port $(PORT)

## browser: Debian's chromium + chromedriver for the browser tests (installed when missing, as root)
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
		echo "browser tests need chromium and chromium-driver: sudo apt-get install chromium chromium-driver" >&2; \
	fi

## test: set up, lint, type-check and run every test
test: setup browser lint typecheck unit

lint:
	$(BIN)/ruff check src bot tests bench eval
	$(BIN)/ruff format --check src bot tests bench eval

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
