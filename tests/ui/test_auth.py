"""Keys → roles, anonymous loopback only, the UI login gate, rate limits, keys never logged."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from tests.ui.conftest import KEYS, auth, server_settings

REPO = Path(__file__).resolve().parents[2]


def test_api_needs_a_valid_key(keyed_client):
    for method, path in (("get", "/api/cases"), ("get", "/api/search?q=helsedata"), ("get", "/v1/models"), ("get", "/api/documents")):
        response = getattr(keyed_client, method)(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        assert "API-nøkkel" in str(response.json())
    wrong = keyed_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers={"Authorization": "Bearer feil-nokkel"})
    assert wrong.status_code == 401 and wrong.json()["error"].startswith("Mangler eller ugyldig API-nøkkel")
    assert keyed_client.get("/api/cases", headers=auth("member")).status_code == 200
    assert keyed_client.get("/api/cases", headers={"X-API-Key": KEYS["secretariat"]}).status_code == 200
    # Health stays open for load balancers and probes.
    assert keyed_client.get("/healthz").status_code == 200 and keyed_client.get("/readyz").status_code == 200


def test_upload_and_delete_need_secretariat(keyed_client):
    files = {"file": ("notat.md", b"# Notat\n\nTekst.", "text/markdown")}
    member = keyed_client.post("/api/documents", files=files, headers=auth("member"))
    assert member.status_code == 403 and member.json() == {"error": "Dette krever rollen secretariat eller høyere."}
    assert keyed_client.delete("/api/documents/ho21-mote-2-2026-motepapirer", headers=auth("member")).status_code == 403
    assert keyed_client.get("/api/documents/jobs/abc", headers=auth("member")).status_code == 403
    assert keyed_client.get("/api/documents/jobs/abc", headers=auth("secretariat")).status_code == 404


def test_anonymous_only_on_loopback_without_keys(corpus_settings, assistant, open_client):
    from fastapi.testclient import TestClient

    from ui.auth import Auth
    from ui.server import create_app

    assert open_client.get("/api/cases").status_code == 200
    # OpenAI clients always send some key; without configured keys it is ignored, the role stays member.
    assert open_client.get("/v1/models", headers={"Authorization": "Bearer sk-whatever"}).status_code == 200
    assert open_client.post("/api/documents", files={"file": ("a.md", b"x", "text/markdown")}).status_code == 403
    exposed = server_settings(corpus_settings, host="0.0.0.0", api_keys=None)
    assert not Auth(exposed).anonymous_allowed
    with TestClient(create_app(exposed, assistant=assistant, with_ui=False)) as client:
        assert client.get("/api/cases").status_code == 401
    assert "anonym bruk er tillatt" in Auth(server_settings(corpus_settings, host="127.0.0.1", api_keys=None)).startup_message()


def test_serve_refuses_an_open_server_off_loopback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    env["RADSARKIV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "ui.cli", "serve", "--host", "0.0.0.0", "--port", "1"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Anonym bruk er bare tillatt på loopback" in result.stderr


def test_bad_key_configuration_is_rejected():
    import pytest

    from ui.auth import KeyRing

    with pytest.raises(ValueError, match="Ukjent rolle"):
        KeyRing("abc:superuser")
    with pytest.raises(ValueError, match="nøkkel:rolle"):
        KeyRing("bare-en-nøkkel")
    ring = KeyRing(" a:member , b:admin ")
    assert len(ring) == 2 and ring.lookup("b")[1] == "admin" and ring.lookup("c") is None


def test_web_ui_needs_a_session_when_keys_are_set(keyed_client):
    keyed_client.cookies.clear()
    page = keyed_client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert keyed_client.get("/gradio_api/info").status_code == 401
    form = keyed_client.get("/login")
    assert form.status_code == 200 and "API-nøkkel" in form.text
    failed = keyed_client.post("/login", data={"key": "feil"}, follow_redirects=False)
    assert failed.status_code == 401 and "Ugyldig nøkkel" in failed.text
    ok = keyed_client.post("/login", data={"key": KEYS["member"]}, follow_redirects=False)
    assert ok.status_code == 303
    cookie = ok.cookies.get("radsarkiv_session")
    assert cookie and KEYS["member"] not in cookie
    assert "httponly" in ok.headers["set-cookie"].lower()
    assert keyed_client.get("/").status_code == 200
    # The session also opens the API for the browser (document links in the source panel).
    assert keyed_client.get("/api/cases").status_code == 200
    keyed_client.get("/logout")
    keyed_client.cookies.clear()
    assert keyed_client.get("/api/cases").status_code == 401


def test_forged_session_is_rejected(keyed_client):
    keyed_client.cookies.clear()
    keyed_client.cookies.set("radsarkiv_session", "0" * 64 + "." + "0" * 64)
    assert keyed_client.get("/api/cases").status_code == 401
    keyed_client.cookies.clear()


def test_rate_limit_per_key(corpus_settings, assistant):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    settings = server_settings(corpus_settings, api_keys=f"{KEYS['member']}:member,{KEYS['admin']}:admin", rate_limit_per_minute=3)
    with TestClient(create_app(settings, assistant=assistant, with_ui=False)) as client:
        codes = [client.get("/api/cases", headers=auth("member")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/cases", headers=auth("member"))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"].startswith("For mange forespørsler")
        # Another key has its own budget.
        assert client.get("/api/cases", headers=auth("admin")).status_code == 200
        # Guessing keys is limited per client address too.
        guesses = [client.get("/api/cases", headers={"Authorization": f"Bearer gjett-{i}"}).status_code for i in range(4)]
        assert guesses == [401, 401, 401, 429]


def test_keys_are_never_logged(keyed_client, caplog):
    caplog.set_level(logging.DEBUG)
    keyed_client.post("/api/ask", json={"question": "Hva er rådets mandat?"}, headers=auth("secretariat"))
    keyed_client.get("/api/cases", headers={"Authorization": "Bearer " + KEYS["admin"] + "x"})
    keyed_client.post("/login", data={"key": KEYS["member"]}, follow_redirects=False)
    keyed_client.cookies.clear()
    text = caplog.text
    assert all(key not in text for key in KEYS.values())


def test_readyz_shows_counts_only_to_admins(keyed_client, open_client):
    """An anonymous prober learns that the index is ready, not how much restricted material it holds."""
    keyed_client.cookies.clear()
    counts = {"documents", "cases", "chunks"}
    for client, headers in ((keyed_client, {}), (keyed_client, auth("member")), (keyed_client, auth("secretariat")),
                            (keyed_client, {"Authorization": "Bearer feil-nokkel"}), (open_client, {})):
        body = client.get("/readyz", headers=headers).json()
        assert body["status"] == "ready" and not counts & set(body), (headers, body)
    admin = keyed_client.get("/readyz", headers=auth("admin")).json()
    assert admin["status"] == "ready" and admin["documents"] > 0 and admin["chunks"] > 0


def test_session_cookie_is_not_derived_from_the_key_alone(corpus_settings, assistant):
    """The cookie is an HMAC under a per-process secret: knowing the key's hash forges nothing, and
    a cookie from one server process is worthless to the next."""
    import hashlib

    from fastapi.testclient import TestClient

    from ui.server import create_app

    settings = server_settings(corpus_settings, api_keys=f"{KEYS['admin']}:admin")
    cookies = []
    for _ in range(2):
        with TestClient(create_app(settings, assistant=assistant, with_ui=False)) as client:
            login = client.post("/login", data={"key": KEYS["admin"]}, follow_redirects=False)
            cookie = login.cookies.get("radsarkiv_session")
            assert client.get("/api/cases").status_code == 200
            cookies.append(cookie)
    digest = hashlib.sha256(KEYS["admin"].encode()).hexdigest()
    assert all(digest not in cookie and digest[:16] not in cookie for cookie in cookies)
    assert cookies[0] != cookies[1]
