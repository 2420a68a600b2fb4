"""Every API endpoint against the real corpus index (anonymous loopback mode unless noted)."""
from __future__ import annotations

import json

from tests.ui.conftest import auth

QUESTION = "Hva ble vedtatt i sak 7/1/2026?"


def parse_sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs; multi-line data joined with newlines, comments skipped."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            events.append((name, "\n".join(data)))
    return events


def test_health_and_ready(open_client):
    assert open_client.get("/healthz").json() == {"status": "ok"}
    ready = open_client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and "chunks" not in body  # counts are for admins (test_auth)


def test_ask_returns_the_answer_contract(open_client):
    response = open_client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "citations", "refused", "language", "route"}
    assert not body["refused"] and body["language"] == "nb"
    assert body["citations"] and all(c["case"] == "7/1/2026" for c in body["citations"])
    for citation in body["citations"]:
        assert citation["marker"] in body["answer"]
        assert citation["quote"] and citation["doc_id"]


def test_ask_with_history_and_filters(open_client):
    first = open_client.post("/api/ask", json={"question": QUESTION}).json()
    follow = open_client.post("/api/ask", json={
        "question": "Og hva var bakgrunnen?",
        "history": [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}],
    })
    assert follow.status_code == 200 and follow.json()["answer"]
    filtered = open_client.post("/api/ask", json={"question": "Hva sier rådet om helsedata?", "filters": {"meeting": "1/2026", "type": "motepapirer"}})
    assert filtered.status_code == 200
    assert all(c["meeting"] in (None, "1/2026") for c in filtered.json()["citations"])


def test_ask_input_errors(open_client):
    empty = open_client.post("/api/ask", json={"question": "   "})
    assert empty.status_code == 400 and empty.json() == {"error": "Spørsmålet er tomt."}
    long = open_client.post("/api/ask", json={"question": "helsedata " * 10_000})
    assert long.status_code == 413 and "for langt" in long.json()["error"]
    missing = open_client.post("/api/ask", json={"history": []})
    assert missing.status_code == 422 and "question" in missing.json()["error"]
    bad_history = open_client.post("/api/ask", json={"question": "Hei", "history": [{"role": "system", "content": "x"}]})
    assert bad_history.status_code == 422
    bad_case = open_client.post("/api/ask", json={"question": "Hei", "filters": {"case": "ikke-en-sak"}})
    assert bad_case.status_code == 400 and "saksnummer" in bad_case.json()["error"]
    not_json = open_client.post("/api/ask", content=b"{oops", headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and "error" in not_json.json()


def test_chat_streams_tokens_then_citations_then_done(open_client):
    with open_client.stream("POST", "/api/chat", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = parse_sse(text)
    names = [name for name, _ in events]
    assert names[0] == "token" and names[-2:] == ["citations", "done"]
    assert set(names[:-2]) == {"token"}
    streamed = "".join(json.loads(data)["text"] for name, data in events if name == "token")
    citations = json.loads(events[-2][1])
    done = json.loads(events[-1][1])
    assert streamed == done["answer"]
    assert citations == done["citations"] and citations
    # Validation happens before the stream: a plain JSON error, not an event stream.
    refused = open_client.post("/api/chat", json={"question": ""})
    assert refused.status_code == 400 and refused.json()["error"]


def test_search(open_client):
    response = open_client.get("/api/search", params={"q": "tilgang til helsedata", "k": 3})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert 0 < len(hits) <= 3
    assert all({"chunk_id", "score", "text", "doc_id"} <= set(hit) for hit in hits)
    filtered = open_client.get("/api/search", params={"q": "vedtak", "k": 5, "meeting": "2/2026", "year": 2026, "type": "motepapirer"}).json()["hits"]
    assert filtered and all(h["meeting"] == "2/2026" and h["doc_type"] == "motepapirer" for h in filtered)
    assert open_client.get("/api/search", params={"q": "vedtak", "meeting": "9/1999"}).json()["hits"] == []
    assert open_client.get("/api/search", params={"q": "x", "k": 0}).status_code == 422
    assert open_client.get("/api/search").status_code == 422


def test_cases_list_and_lookup(open_client):
    listing = open_client.get("/api/cases").json()
    numbers = [c["number"] for c in listing["cases"]]
    assert listing["count"] == len(numbers) and "7/1/2026" in numbers and "19/2/2026" in numbers
    assert "sections" not in listing["cases"][0]
    dashed = open_client.get("/api/cases/19-2-2026")
    encoded = open_client.get("/api/cases/19%2F2%2F2026")
    assert dashed.status_code == encoded.status_code == 200
    assert dashed.json() == encoded.json()
    assert dashed.json()["number"] == "19/2/2026" and dashed.json()["title"]
    filtered = open_client.get("/api/cases", params={"q": "helsedata"}).json()
    assert 0 < filtered["count"] < listing["count"]


def test_unknown_and_malformed_cases(open_client):
    unknown = open_client.get("/api/cases/99-9-2026")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Fant ingen sak 99/9/2026 i saksregisteret. Se /api/cases for alle saker."}
    malformed = open_client.get("/api/cases/tja")
    assert malformed.status_code == 400 and "19-2-2026" in malformed.json()["error"]


def test_documents_list_and_download(open_client):
    documents = open_client.get("/api/documents").json()["documents"]
    assert documents and all(d["access"] == "public" for d in documents)
    papers = next(d for d in documents if "pdf" in d["formats"])
    download = open_client.get(papers["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert download.headers["content-disposition"].startswith("inline")
    html_doc = next(d for d in documents if d["formats"] == ["html"])
    page = open_client.get(html_doc["url"])
    assert page.status_code == 200 and "sandbox" in page.headers["content-security-policy"]
    missing = open_client.get("/api/documents/finnes-ikke")
    assert missing.status_code == 404 and missing.json()["error"].startswith("Fant ikke dokumentet")


def test_unknown_routes_and_methods_answer_json(open_client):
    response = open_client.get("/api/finnes-ikke")
    assert response.status_code == 404 and response.json()["error"].startswith("Finnes ikke")
    assert open_client.get("/v1/finnes-ikke").json()["error"]["message"].startswith("Finnes ikke")


def test_security_headers_everywhere(open_client):
    for path in ("/healthz", "/api/cases", "/", "/api/finnes-ikke"):
        response = open_client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"], path


def test_openapi_docs(open_client):
    schema = open_client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/chat", "/api/search", "/api/cases", "/api/cases/{number}", "/api/documents",
                 "/api/documents/{doc_id}", "/v1/chat/completions", "/v1/models", "/healthz", "/readyz"):
        assert path in schema["paths"], path
    assert open_client.get("/docs").status_code == 200


def test_cors_only_for_configured_origins(keyed_client, open_client):
    allowed = "https://intranett.example.no"
    preflight = keyed_client.options("/api/ask", headers={"Origin": allowed, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.headers.get("access-control-allow-origin") == allowed
    other = keyed_client.get("/api/cases", headers={"Origin": "https://evil.example.com", **auth("member")})
    assert "access-control-allow-origin" not in other.headers
    unconfigured = open_client.get("/api/cases", headers={"Origin": allowed})
    assert "access-control-allow-origin" not in unconfigured.headers


def test_no_stack_traces_in_errors(corpus_settings, assistant):
    from fastapi.testclient import TestClient

    from tests.ui.conftest import server_settings
    from ui.server import create_app

    app = create_app(server_settings(corpus_settings, api_keys=None), assistant=assistant, with_ui=False)

    @app.get("/kaboom")
    def kaboom():
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/kaboom")
    assert response.status_code == 500
    assert response.json() == {"error": "Noe gikk galt på serveren. Prøv igjen, eller kontakt sekretariatet om feilen varer."}
    assert "Traceback" not in response.text and "passwd" not in response.text


def test_body_limit(corpus_settings, assistant):
    from fastapi.testclient import TestClient

    from tests.ui.conftest import server_settings
    from ui.server import create_app

    app = create_app(server_settings(corpus_settings, api_keys=None, max_upload_mb=1, max_json_kb=512), assistant=assistant, with_ui=False)
    with TestClient(app) as client:
        big = client.post("/api/ask", content=b"x" * (512 * 1024 + 10), headers={"content-type": "application/json"})
        assert big.status_code == 413 and big.json() == {"error": "Forespørselen er for stor (grensen er 0,5 MB)."}
        # Uploads have their own, larger limit: this body is over the JSON limit, under the upload one.
        upload = client.post("/api/documents", files={"file": ("x.md", b"# x\n" * (200 * 1024))})
        assert upload.status_code == 403  # anonymous: refused for the role, not for the size
        too_big = client.post("/api/documents", files={"file": ("x.md", b"# x\n" * (300 * 1024))})
        assert too_big.status_code == 413 and too_big.json() == {"error": "Forespørselen er for stor (grensen er 1 MB)."}

        def chunks():  # no Content-Length: counted as it streams
            for _ in range(40):
                yield b"y" * 32768

        streamed = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert client.get("/healthz").status_code == 200
