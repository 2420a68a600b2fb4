"""Apps over the session's real corpus index, in the two access modes, plus a live uvicorn server.

Keys used here are test-only strings. Apps that change an index get their own data dir.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

KEYS = {"member": "test-member-key-1f3a", "secretariat": "test-secretariat-key-9b2c", "admin": "test-admin-key-77de"}
KEY_SPEC = ",".join(f"{key}:{role}" for role, key in KEYS.items())


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


def server_settings(settings, **server):
    """A copy of `settings` with server options changed (the session's settings stay untouched)."""
    copy = settings.model_copy(deep=True)
    for name, value in server.items():
        setattr(copy.server, name, value)
    return copy


@pytest.fixture(scope="session")
def open_app(corpus_settings, assistant):
    """Anonymous loopback mode: no keys, bound to 127.0.0.1, everyone is `member`."""
    from ui.server import create_app

    return create_app(server_settings(corpus_settings, host="127.0.0.1", api_keys=None), assistant=assistant)


@pytest.fixture(scope="session")
def keyed_app(corpus_settings, assistant):
    from ui.server import create_app

    settings = server_settings(corpus_settings, api_keys=KEY_SPEC, cors_origins="https://intranett.example.no")
    return create_app(settings, assistant=assistant)


@pytest.fixture(scope="session")
def open_client(open_app):
    from fastapi.testclient import TestClient

    with TestClient(open_app) as client:
        yield client


@pytest.fixture(scope="session")
def keyed_client(keyed_app):
    from fastapi.testclient import TestClient

    with TestClient(keyed_app) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def live_server(app):
    """`app` served by uvicorn on 127.0.0.1 in a background thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def open_server(open_app):
    with live_server(open_app) as url:
        yield url


@pytest.fixture(scope="session")
def keyed_server(keyed_app):
    with live_server(keyed_app) as url:
        yield url
