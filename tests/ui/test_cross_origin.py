"""No cross-origin writes: CORS is off on every route (Gradio's included) unless configured, and a
state-changing request from another origin is refused before it reaches a route.

Another port on the same host is another origin but the same *site*, so SameSite=Strict cookies
travel with its requests: only the Origin check stops them. The browser version of this attack
is in tests/ui/test_browser.py (test_cross_origin_page_cannot_delete_or_upload).
"""
from __future__ import annotations

import pytest

from tests.ui.conftest import KEYS, auth

EVIL = "http://127.0.0.1:9999"
CONFIGURED = "https://intranett.example.no"  # keyed_app's RADSARKIV_SERVER__CORS_ORIGINS
PREFLIGHTS = [
    ("DELETE", "/api/documents/opplastet/notat"),
    ("POST", "/api/documents"),
    ("POST", "/api/ask"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/gradio_api/queue/join"),
    ("GET", "/gradio_api/info"),
]


def preflight(client, method: str, path: str, origin: str):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": "content-type"})


@pytest.mark.parametrize("app_client", ["open_client", "keyed_client"])
def test_no_route_allows_a_foreign_origin(request, app_client):
    client = request.getfixturevalue(app_client)
    for method, path in PREFLIGHTS:
        response = preflight(client, method, path, EVIL)
        assert "access-control-allow-origin" not in response.headers, (path, dict(response.headers))
        assert "access-control-allow-credentials" not in response.headers, path
        assert response.status_code != 200 or "DELETE" not in response.headers.get("access-control-allow-methods", ""), path
    simple = client.get("/api/cases", headers={"Origin": EVIL, **auth("member")})
    assert "access-control-allow-origin" not in simple.headers


def test_a_configured_origin_is_allowed_without_credentials(keyed_client):
    response = preflight(keyed_client, "POST", "/api/ask", CONFIGURED)
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == CONFIGURED
    assert "access-control-allow-credentials" not in response.headers
    # Gradio's own CORS layer stands aside too: the configured policy is the only one.
    gradio = preflight(keyed_client, "POST", "/gradio_api/queue/join", EVIL)
    assert "access-control-allow-origin" not in gradio.headers


@pytest.fixture
def secretariat_session(keyed_client):
    keyed_client.cookies.clear()
    login = keyed_client.post("/login", data={"key": KEYS["secretariat"]}, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert login.status_code == 303
    yield keyed_client
    keyed_client.cookies.clear()


def test_cross_origin_writes_with_a_session_cookie_are_refused(secretariat_session):
    client = secretariat_session
    # Nothing here could change the shared index even if it got through: the document does not
    # exist (404 behind the check) and .exe is refused as a file type (415 behind the check).
    for origin in (EVIL, "null"):
        delete = client.delete("/api/documents/opplastet/finnes-ikke", headers={"Origin": origin})
        assert delete.status_code == 403, delete.text
        assert "annen nettside" in delete.json()["error"]
        upload = client.post("/api/documents", files={"file": ("x.exe", b"MZ", "application/octet-stream")}, headers={"Origin": origin})
        assert upload.status_code == 403, upload.text
        gradio = client.post("/gradio_api/queue/join", json={}, headers={"Origin": origin})
        assert gradio.status_code == 403
    # A cookie alone, with neither Origin nor Referer, proves nothing about where the request came from.
    assert client.delete("/api/documents/opplastet/finnes-ikke").status_code == 403
    assert client.delete("/api/documents/opplastet/finnes-ikke", headers={"Referer": EVIL + "/side.html"}).status_code == 403
    # The server's own pages pass.
    same = client.delete("/api/documents/opplastet/finnes-ikke", headers={"Origin": "http://testserver"})
    assert same.status_code == 404
    referred = client.delete("/api/documents/opplastet/finnes-ikke", headers={"Referer": "http://testserver/"})
    assert referred.status_code == 404
    # Reading is not writing: a cross-origin GET still answers (the browser hides the body from the page).
    assert client.get("/api/cases", headers={"Origin": EVIL}).status_code == 200


def test_key_callers_and_configured_origins_are_not_affected(keyed_client):
    keyed_client.cookies.clear()
    assert keyed_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers=auth("member")).status_code == 200
    configured = keyed_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers={"Origin": CONFIGURED, **auth("member")})
    assert configured.status_code == 200
    foreign = keyed_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers={"Origin": EVIL, **auth("member")})
    assert foreign.status_code == 403


def test_anonymous_loopback_server_refuses_foreign_pages(open_client):
    """Without keys anyone on the machine is `member`; a web page the user visits is not."""
    foreign = open_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers={"Origin": EVIL})
    assert foreign.status_code == 403
    assert open_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}).status_code == 200
