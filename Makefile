# Both targets create or refresh .venv in the repo root and install everything into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test ingest serve eval bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, from the local CPU wheel: nothing later may pull a CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[st,render,test]'
	touch $(STAMP)

setup: $(STAMP)

ingest: setup
	$(BIN)/radsarkiv ingest corpus/

run: setup ingest
	$(BIN)/radsarkiv serve --host 127.0.0.1 --port 7860

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/radsarkiv eval --set ../shared/evals/gold-dev.jsonl

bench: setup
	$(BIN)/python -m evals.bench

clean:
	rm -rf data .pytest_cache
