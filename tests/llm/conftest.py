"""A real llama.cpp server (llama-cpp-python's `python -m llama_cpp.server`) for the tests marked
`llm`. `make test-llm` builds it into .venv-llm and points these variables at it:

    RADSARKIV_TEST_LLM_PYTHON  the python that has llama_cpp.server
    RADSARKIV_TEST_LLM_GGUF    the model file

Each server listens on 127.0.0.1 on a free port, writes its log to a file the tests read, and is
killed at teardown: no test leaves a server running.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

# The window the server is started with; the assistant is told the same (context_tokens).
# Modest on purpose: on 2 CPU cores a 1.5B model reads about 35 prompt tokens a second.
CONTEXT_TOKENS = 2048
STARTUP_S = 300
# One thread: on a machine whose cores are already busy, ggml's threads spin waiting for each
# other; measured here, one thread answered a 1 500-token prompt in about a quarter of the time
# two took.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LlamaServer:
    def __init__(self, python: str, gguf: str, log_path: Path) -> None:
        self.port = _free_port()
        self.log_path = log_path
        self.model = Path(gguf).stem
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [python, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", self.model,
             "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(CONTEXT_TOKENS),
             "--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server not ready after {STARTUP_S}s")
            time.sleep(0.5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def completions_requested(self) -> int:
        """POSTs to /v1/chat/completions so far, from the server's own access log."""
        return self.log_path.read_text(errors="replace").count("POST /v1/chat/completions")

    def kill(self) -> None:
        """Die at once, as a crashed server does (no goodbye to clients)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def _configured() -> bool:
    gguf = os.environ.get("RADSARKIV_TEST_LLM_GGUF")
    return bool(os.environ.get("RADSARKIV_TEST_LLM_PYTHON") and gguf and Path(gguf).is_file())


def pytest_collection_modifyitems(config, items):
    """Without a server, skip before any fixture runs (the index fixture would ingest for nothing)."""
    if _configured():
        return
    skip = pytest.mark.skip(reason="no llama.cpp server configured: run `make test-llm`")
    for item in items:
        if "llm" in item.keywords:
            item.add_marker(skip)


def _paths() -> tuple[str, str]:
    python, gguf = os.environ.get("RADSARKIV_TEST_LLM_PYTHON"), os.environ.get("RADSARKIV_TEST_LLM_GGUF")
    if not python or not gguf or not Path(gguf).is_file():
        pytest.skip("no llama.cpp server configured: run `make test-llm`")
    return python, gguf


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    python, gguf = _paths()
    server = LlamaServer(python, gguf, tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    server.stop()
    assert server.process.poll() is not None


@pytest.fixture
def start_llama_server(tmp_path):
    """Start a private server (for a test that kills it); stopped at teardown whatever happened."""
    started: list[LlamaServer] = []

    def start() -> LlamaServer:
        python, gguf = _paths()
        server = LlamaServer(python, gguf, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        assert server.process.poll() is not None


@pytest.fixture
def llm_assistant_for(corpus_settings, retriever):
    """An Assistant on the real index that asks the given server (temperature 0: repeatable)."""
    return lambda server, timeout_s=600.0: _llm_assistant(corpus_settings, retriever, server, timeout_s)


def _llm_assistant(corpus_settings, retriever, server: LlamaServer, timeout_s: float):
    from assistant.service import Assistant

    settings = corpus_settings.model_copy(deep=True)
    settings.llm.base_url, settings.llm.model = server.base_url, server.model
    settings.llm.timeout_s, settings.llm.temperature = timeout_s, 0.0
    settings.llm.context_tokens, settings.llm.max_tokens = CONTEXT_TOKENS, 200
    return Assistant(settings, retriever=retriever)
