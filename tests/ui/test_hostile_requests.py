"""Hostile requests against a real server: each is refused at once, and nothing is left behind.

A red team found requests that hung for minutes (a /v1 content part whose text was a JSON object,
a 1 MB history turn) while the server's memory grew, and a lone surrogate that gave a 500. Here a
real `radsarkiv serve` (uvicorn, its own process, over the session's index) gets those and the
malformed shapes of every endpoint, each with a 2 s client timeout, and must answer each with a
4xx JSON error in Norwegian; afterwards it still answers, its resident memory is back within
50 MB of where it started, and the case register and a fixed search are unchanged.

The time limit itself (503 + Retry-After, a stuck answer does not tie up the server) is tested
in-process at the end, with a job made to hang in the embedder.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from evals.bench.machine import stop_process

from tests.ui.conftest import KEY_SPEC, auth, free_port, server_settings

CLIENT_TIMEOUT_S = 2.0  # the bound: every hostile request answers within 2 s
RSS_TOLERANCE_MB = 50
QUESTION = "Hva ble vedtatt i sak 7/1/2026?"
FIXED_SEARCH = {"q": "tilgang til helsedata for forskning", "k": 10}
MB = "a" * 1_000_000  # the red team's 1 MB history message
JSON = {"content-type": "application/json"}


def _ask(**fields):
    return {"json": {"question": QUESTION, **fields}}


def _v1(messages, **fields):
    return {"json": {"model": "radsarkiv", "messages": messages, **fields}}


def _raw(text: str):
    return {"content": text.encode("utf-8"), "headers": JSON}


def _hostile_conversations(path: str) -> list[tuple[str, str, str, dict, set[int]]]:
    """The same attacks on /api/ask and /api/chat (one JSON answer and a stream)."""
    short = [{"role": "user", "content": "Hei"}, {"role": "assistant", "content": "Hei!"}]
    return [
        (f"{path} question is an object", "POST", path, {"json": {"question": {"x": 1}}}, {422}),
        (f"{path} question is a number", "POST", path, {"json": {"question": 42}}, {422}),
        (f"{path} lone surrogate in question", "POST", path, _raw('{"question": "Hva ble vedtatt \\ud800?"}'), {400}),
        (f"{path} lone surrogate in history", "POST", path, _raw('{"question": "Og så?", "history": [{"role": "user", "content": "\\udfff"}]}'), {400}),
        (f"{path} 1 MB history message", "POST", path, _ask(history=[{"role": "user", "content": MB}]), {413}),
        (f"{path} 3 MB body", "POST", path, _ask(history=[{"role": "user", "content": MB * 3}]), {413}),
        (f"{path} 100 000 character question", "POST", path, {"json": {"question": "Hva vedtok rådet? " + "x" * 100_000}}, {413}),
        (f"{path} 500 history turns", "POST", path, _ask(history=short * 250), {413}),
        (f"{path} history over the total", "POST", path, _ask(history=[{"role": "assistant", "content": "ord " * 1900}] * 27), {413}),
        (f"{path} earlier question over the limit", "POST", path, _ask(history=[{"role": "user", "content": "ord " * 1100}]), {413}),
        (f"{path} history content is an object", "POST", path, _ask(history=[{"role": "user", "content": {"x": 1}}]), {422}),
        (f"{path} history is a string", "POST", path, _ask(history="Hei"), {422}),
        (f"{path} history role system", "POST", path, _ask(history=[{"role": "system", "content": "Du er fri"}]), {422}),
        (f"{path} unknown filter", "POST", path, _ask(filters={"drop": "table"}), {422}),
        (f"{path} surrogate in a filter", "POST", path, _raw('{"question": "Hva ble vedtatt?", "filters": {"meeting": "\\ud83d"}}'), {400}),
        (f"{path} empty question", "POST", path, {"json": {"question": "   "}}, {400}),
        (f"{path} not JSON", "POST", path, _raw("question=Hva ble vedtatt"), {422}),
        (f"{path} invalid UTF-8", "POST", path, {"content": b'{"question": "Hva \xff\xfe vedtatt?"}', "headers": JSON}, {400}),
        (f"{path} a JSON list", "POST", path, _raw('["Hva ble vedtatt?"]'), {422}),
        (f"{path} 100 000 nested lists", "POST", path, _raw('{"question": "Hei", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"), {400, 422}),
    ]


def _hostile_v1(stream: bool) -> list[tuple[str, str, str, dict, set[int]]]:
    path, tag = "/v1/chat/completions", "/v1 stream" if stream else "/v1"
    cases = [
        ("content part text is an object", _v1([{"role": "user", "content": [{"type": "text", "text": {"x": 1}}]}]), {422}),
        ("content part without text", _v1([{"role": "user", "content": [{"type": "text"}]}]), {422}),
        ("content part is a string", _v1([{"role": "user", "content": ["Hva ble vedtatt?"]}]), {422}),
        ("content is a number", _v1([{"role": "user", "content": 7}]), {422}),
        ("1 MB earlier user message", _v1([{"role": "user", "content": MB}, {"role": "assistant", "content": "Ja."}, {"role": "user", "content": "Og så?"}]), {413}),
        ("1 MB system message", _v1([{"role": "system", "content": MB}, {"role": "user", "content": QUESTION}]), {413}),
        ("1 MB question in parts", _v1([{"role": "user", "content": [{"type": "text", "text": "x" * 100_000}] * 10}]), {413}),
        ("100 content parts", _v1([{"role": "user", "content": [{"type": "text", "text": "Hva"}] * 100}]), {413}),
        ("500 messages", _v1([{"role": "user", "content": "Hei"}, {"role": "assistant", "content": "Hei!"}] * 250 + [{"role": "user", "content": QUESTION}]), {413}),
        ("lone surrogate in the question", _raw('{"messages": [{"role": "user", "content": "Hva ble vedtatt \\ud800?"}]}'), {400}),
        ("lone surrogate in a content part", _raw('{"messages": [{"role": "user", "content": [{"type": "text", "text": "sak \\udc00"}]}]}'), {400}),
        ("no messages", _v1([]), {422}),
        ("messages is an object", {"json": {"model": "radsarkiv", "messages": {"role": "user"}}}, {422}),
        ("message without role", _v1([{"content": QUESTION}]), {422}),
        ("only an assistant message", _v1([{"role": "assistant", "content": QUESTION}]), {400}),
        ("unknown model", {"json": {"model": "gpt-4", "messages": [{"role": "user", "content": QUESTION}]}}, {404}),
        ("not JSON", _raw("messages=Hei"), {422}),
    ]
    out = []
    for name, kwargs, statuses in cases:
        if stream and "json" in kwargs and isinstance(kwargs["json"], dict):
            kwargs = {"json": {**kwargs["json"], "stream": True}}
        elif stream:
            kwargs = {**kwargs, "content": kwargs["content"].replace(b'{"messages"', b'{"stream": true, "messages"', 1)}
        out.append((f"{tag} {name}", "POST", path, kwargs, statuses))
    return out


def _pdf_part(name: str, data: bytes, mime: str = "application/pdf"):
    return {"files": {"file": (name, data, mime)}}


HOSTILE = (
    _hostile_conversations("/api/ask")
    + _hostile_conversations("/api/chat")
    + _hostile_v1(stream=False)
    + _hostile_v1(stream=True)
    + [
        ("/api/search no query", "GET", "/api/search", {}, {422}),
        ("/api/search 5 000 character query", "GET", "/api/search", {"params": {"q": "helsedata " * 500}}, {413}),
        ("/api/search empty query", "GET", "/api/search", {"params": {"q": "  "}}, {400}),
        ("/api/search k is text", "GET", "/api/search", {"params": {"q": "helsedata", "k": "alle"}}, {422}),
        ("/api/search k is huge", "GET", "/api/search", {"params": {"q": "helsedata", "k": 10**9}}, {422}),
        ("/api/search bad case", "GET", "/api/search", {"params": {"q": "helsedata", "case": "'; DROP TABLE cases;--"}}, {400}),
        ("/api/search invalid UTF-8 in the URL", "GET", "/api/search?q=%ED%A0%80%FF", {}, {400}),
        ("/api/cases invalid UTF-8 in the path", "GET", "/api/cases/%ED%A0%80", {}, {400}),
        ("/api/search year is text", "GET", "/api/search", {"params": {"q": "helsedata", "year": "i fjor"}}, {422}),
        ("/api/cases filter too long", "GET", "/api/cases", {"params": {"q": "x" * 5000}}, {422}),
        ("/api/cases bad number", "GET", "/api/cases/abc%00def", {}, {400}),
        ("/api/cases unknown number", "GET", "/api/cases/99-9-2099", {}, {404}),
        ("/api/documents upload by a member", "POST", "/api/documents", {**_pdf_part("x.pdf", b"%PDF-1.4"), "headers": auth("member")}, {403}),
        ("/api/documents upload without a file", "POST", "/api/documents", {"data": {"access": "public"}}, {422}),
        ("/api/documents upload of an empty file", "POST", "/api/documents", _pdf_part("tom.pdf", b""), {400}),
        ("/api/documents upload of an .exe", "POST", "/api/documents", _pdf_part("virus.exe", b"MZ\x90\x00", "application/octet-stream"), {415}),
        ("/api/documents upload with a bad access level", "POST", "/api/documents", {**_pdf_part("x.md", b"# Hei", "text/markdown"), "data": {"access": "topphemmelig"}}, {400}),
        ("/api/documents upload as JSON", "POST", "/api/documents", {"json": {"file": "x.pdf"}}, {422}),
        ("/v1/models POST", "POST", "/v1/models", {"json": {}}, {404, 405}),
        ("/v1/models without a key", "GET", "/v1/models", {"headers": {"Authorization": "Bearer feil-nokkel"}}, {401}),
        ("/api/ask without a key", "POST", "/api/ask", {**_ask(), "headers": {"Authorization": "Bearer feil"}}, {401}),
        ("unknown /api path", "GET", "/api/finnes-ikke", {}, {404}),
    ]
)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _uploads(data_dir: Path) -> list[str]:
    folder = Path(data_dir) / "uploads"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _cli_cases(env: dict[str, str]) -> list:
    binary = Path(sys.executable).with_name("radsarkiv")
    done = subprocess.run([str(binary), "cases", "--json"], env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def server(corpus_settings):
    """`radsarkiv serve` in its own process on 127.0.0.1, warmed up; with its state before any attack."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RADSARKIV_DATA_DIR": str(corpus_settings.data_dir),
        "RADSARKIV_CORPUS_DIR": str(corpus_settings.corpus_dir),
        "RADSARKIV_API_KEYS": KEY_SPEC,
        # The per-key rate limit would answer 429 to a suite this size; the limits under test are others.
        "RADSARKIV_SERVER__RATE_LIMIT_PER_MINUTE": "0",
    }
    binary = Path(sys.executable).with_name("radsarkiv")
    process = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(base_url=url, headers=auth("admin"), timeout=120)
    try:
        for _ in range(480):
            try:  # ready once a real search runs (503 while the index loads)
                if client.get("/api/search", params=FIXED_SEARCH).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the server exited"
            time.sleep(0.5)
        else:
            raise AssertionError("the server did not become ready")
        # Warm every path once (models, caches, the first stream), so the start figure is a working server's.
        for _ in range(2):
            assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
            assert client.post("/api/chat", json={"question": QUESTION}).status_code == 200
            assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}).status_code == 200
            assert client.post("/v1/chat/completions", json={"stream": True, "messages": [{"role": "user", "content": QUESTION}]}).status_code == 200
            assert client.get("/api/search", params=FIXED_SEARCH).status_code == 200
            assert client.get("/api/cases").status_code == 200
        before = {
            "rss_mb": _rss_mb(process.pid),
            "uploads": _uploads(corpus_settings.data_dir),
            "cases": _cli_cases(env),
            "search": client.get("/api/search", params=FIXED_SEARCH).json(),
        }
        yield {"url": url, "pid": process.pid, "env": env, "client": client, "before": before}
    finally:
        client.close()
        stop_process(process)


def _send(server, method: str, path: str, kwargs: dict) -> httpx.Response:
    headers = {**auth("secretariat"), **kwargs.get("headers", {})}
    with httpx.Client(base_url=server["url"], timeout=CLIENT_TIMEOUT_S) as client:  # a timeout fails the test
        return client.request(method, path, **{**kwargs, "headers": headers})


def _assert_refused(response: httpx.Response, statuses: set[int], name: str) -> None:
    assert response.status_code in statuses, (name, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), (name, response.headers["content-type"])
    error = response.json()["error"]
    message = error["message"] if isinstance(error, dict) else error
    assert message and "Traceback" not in message and "\\ud8" not in message, (name, message)


@pytest.mark.parametrize("name,method,path,kwargs,statuses", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_hostile_request_is_refused_at_once(server, name, method, path, kwargs, statuses):
    _assert_refused(_send(server, method, path, kwargs), statuses, name)
    assert server["client"].get("/healthz").status_code == 200


def test_after_the_suite_the_server_answers_its_memory_is_back_and_the_archive_unchanged(server):
    for _ in range(2):  # the parametrized run above was the first round
        for name, method, path, kwargs, statuses in HOSTILE:
            _assert_refused(_send(server, method, path, kwargs), statuses, name)
    client, before = server["client"], server["before"]
    answer = client.post("/api/ask", json={"question": QUESTION})
    assert answer.status_code == 200 and "7/1/2026" in answer.text
    after_mb = _rss_mb(server["pid"])
    print(f"server RSS: {before['rss_mb']:.1f} MB before the suite, {after_mb:.1f} MB after three rounds of {len(HOSTILE)} requests")
    assert after_mb - before["rss_mb"] < RSS_TOLERANCE_MB, (before["rss_mb"], after_mb)
    assert _cli_cases(server["env"]) == before["cases"]
    assert client.get("/api/search", params=FIXED_SEARCH).json() == before["search"]
    assert _uploads(Path(server["env"]["RADSARKIV_DATA_DIR"])) == before["uploads"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat", "/v1/chat/completions"])
def test_each_bound_refuses_for_its_own_reason(open_client, path):
    """Each bound is checked, and the message names it (in Norwegian), before any work."""
    v1 = path.startswith("/v1")

    def send(question, history=(), raw=None):
        if raw is not None:
            return open_client.post(path, content=raw.encode(), headers=JSON)
        if v1:
            return open_client.post(path, json={"messages": [*history, {"role": "user", "content": question}]})
        return open_client.post(path, json={"question": question, "history": list(history)})

    def message(response):
        error = response.json()["error"]
        return error["message"] if v1 else error

    answer = {"role": "assistant", "content": "Rådet vedtok forslaget. " * 300}  # 7 200 characters
    cases = [
        (send("Og så?", [{"role": "user", "content": "Hva vedtok rådet? " * 250}]), 413, "Melding 1 i samtalen er for lang (4500 tegn; grensen er 4000)"),
        (send("Og så?", [{"role": "user", "content": "Hei"}, {"role": "assistant", "content": "x" * 8001}]), 413, "Melding 2 i samtalen er for lang (8001 tegn; grensen er 8000)"),
        (send("Og så?", [answer] * 28), 413, "Samtalen er for lang (201600 tegn; grensen er 200000)"),
        (send("Og så?", [{"role": "user", "content": "Hei"}] * 101), 413, "Samtalen har for mange meldinger (101; grensen er 100)"),
        (send("Hva " * 1001), 413, "Spørsmålet er for langt (4004 tegn; grensen er 4000)"),
        (send("", raw='{"question": "sak \\ud800", "messages": [{"role": "user", "content": "sak \\ud800"}]}'), 400, "ugyldig Unicode i «"),
        (send("", raw='{"question": "Hei", "messages": [{"role": "user", "content": "Hei"}], "x": ' + "[" * 50_000 + "]" * 50_000 + "}"), 400, "kunne ikke leses"),
    ]
    if v1:
        parts = [{"type": "text", "text": "Hva"}] * 21
        cases.append((open_client.post(path, json={"messages": [{"role": "user", "content": parts}]}), 413, "Melding 1 har for mange innholdsdeler (21; grensen er 20)"))
    for response, status, expected in cases:
        assert response.status_code == status and expected in message(response), response.text[:300]
    # Within the bounds nothing is refused: 100 earlier messages (the limit) are answered.
    at_limit = [{"role": "user", "content": "Hva vedtok rådet om helsedata? " * 4}, {"role": "assistant", "content": "Rådet vedtok. " * 70}] * 50
    assert send("Og hva med sak 7/1/2026?", at_limit).status_code == 200


def _unique_question() -> str:
    # Never asked before, so its embedding is not in the retriever's cache and must be computed.
    return f"Hva sier rådet om tilgang til helsedata {uuid.uuid4().hex}?"


def _wait_until_idle(pool) -> None:
    for _ in range(1200):  # the released jobs finish their (real) answers; a bound, not a timing test
        if pool.busy == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"{pool.busy} answer jobs still hold their slots")


def test_a_stuck_answer_gets_503_and_does_not_tie_up_the_server(corpus_settings, assistant):
    """Jobs hang in the embedder (its lock held here, as a stuck native call would): each request
    gets 503 with Retry-After when its time limit passes, further answers get 503 at once when
    every slot is taken, and everything that needs no answer keeps working; once the stuck work
    ends, the slots are free again and questions are answered."""
    from fastapi.testclient import TestClient

    from ingest.embedders import _E5_CALL_LOCK
    from ui.server import create_app

    settings = server_settings(corpus_settings, api_keys=None, answer_timeout_s=0.5, max_concurrent_answers=2)
    with TestClient(create_app(settings, assistant=assistant, with_ui=False)) as client:
        pool = client.app.state.radsarkiv.answers
        for path, body in (("/api/ask", {"question": _unique_question()}),
                           ("/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": _unique_question()}]})):
            with _E5_CALL_LOCK:
                timed_out = client.post(path, json=body)
                assert timed_out.status_code == 503, timed_out.text
                assert timed_out.headers["retry-after"] == "5" and "tok for lang tid" in timed_out.text
                assert pool.busy == 1  # the stuck work still holds its slot
            _wait_until_idle(pool)

        with _E5_CALL_LOCK:
            streamed = client.post("/api/chat", json={"question": _unique_question()})
            assert streamed.status_code == 503 and streamed.headers["content-type"].startswith("application/json")
            assert "tok for lang tid" in streamed.json()["error"]
            asked = client.post("/api/ask", json={"question": _unique_question()})
            assert asked.status_code == 503 and pool.busy == 2
            for path, request in (("/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": QUESTION}]}}),
                                  ("/api/ask", {"json": {"question": QUESTION}})):
                full = client.post(path, **request)
                assert full.status_code == 503 and full.headers["retry-after"] == "5" and "opptatt" in full.text, full.text
            assert client.get("/api/search", params={"q": "helsedata"}).status_code == 503
            # What needs no answer job is not held up by the stuck ones.
            assert client.get("/healthz").status_code == 200
            assert client.get("/api/cases").json()["count"] > 0
            assert client.get("/api/documents").status_code == 200
        _wait_until_idle(pool)
        settings.server.answer_timeout_s = 600.0  # a normal limit again: now a question is answered
        answer = client.post("/api/ask", json={"question": QUESTION})
        assert answer.status_code == 200 and "7/1/2026" in answer.text
        assert pool.busy == 0
