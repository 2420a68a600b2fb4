"""Restricted documents that share case numbers with public papers never leak through the case
register, on any path.

The shipped corpus plus two restricted documents about the same cases as the public meeting
papers of møte 2/2026:
- confidential draft minutes of that meeting, with a Vedtak for sak 17 and sak 19/2/2026 that
  each carry a unique marker word;
- an internal secretariat note on sak 19/2/2026 (a case paper with its own proposal), marked too.

A case record merges parts from every document about a case; each part keeps where it came from,
and every reader filters the parts by the caller's role. A member (with a key, or anonymous on
loopback) must see no marker anywhere: answers of every route, streaming, /v1, follow-ups,
refusals, the case API, the CLI register, the web UI's case table, conversation and export, and
what an LLM is sent. The secretariat sees the internal note, admin both.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.prompts import phrase
from tests.citation_support import ArchiveText
from tests.conftest import CORPUS, make_settings
from tests.ui.conftest import KEY_SPEC, auth, server_settings

CONFIDENTIAL = ("KOBOLTHAUK-3", "ORKIDEFALK-5")
INTERNAL = ("TINNSPURV-9",)
MARKER = re.compile("|".join(re.escape(m.split("-")[0]) for m in CONFIDENTIAL + INTERNAL), re.IGNORECASE)
DRAFT_MINUTES_ID = "utkast-referat-mote-2-2026"
INTERNAL_NOTE_ID = "internt-saksnotat-sak-19-2-2026"
DRAFT_MINUTES = """# HelseOmsorg21-rådet, utkast til referat møte 2/2026

**Dato**

onsdag 4. mars 2026

**Sak 15/2/2026****Godkjenning av referat fra møte 1/2026**

Referatet ble gjennomgått uten merknader.

Vedtak

*Referatet fra møte 1/2026 godkjennes.*

---

**Sak 16/2/2026****Oversikt meldinger og strategier**

Rådet gikk gjennom oversikten.

Vedtak

*Rådet tar oversikten til orientering.*

---

**Sak 17/2/2026****Innspill til Helsereformutvalget**

Rådet drøftet utkastet og ba om at kapitlet om finansiering skrives om etter innspill fra ORKIDEFALK-5.

Vedtak

*Rådet slutter seg til innspillet og ber sekretariatet sende det via ORKIDEFALK-5 innen påske.*

---

**Sak 18/2/2026****Innovasjon i helsetjenesten**

Rådet diskuterte innovasjonsløypa.

Vedtak

*Rådet tar saken til orientering.*

---

**Sak 19/2/2026****Rapport om tilgang til helsedata**

Rådet diskuterte rapporten og avtalen med Helsedataservice i lukket møte.

Vedtak

*Rådet godkjenner rapporten og gir leder fullmakt til å signere avtalen KOBOLTHAUK-3 med Helsedataservice.*
"""
INTERNAL_NOTE = """# Sak 19/2/2026

## Rapport om tilgang til helsedata – internt saksnotat

**Til** HelseOmsorg21-rådet **Saksbehandler** HO21-sekretariatet **Fra** Sekretariatet

**Bakgrunn** Sekretariatet har forhandlet med Helsedataservice om en samarbeidsavtale med kodenavn TINNSPURV-9 om tilgang til helsedata for rådets arbeid.

**Hovedpunkter** Avtalen TINNSPURV-9 gir rådet tilgang til aggregerte helsedata fra Helsedataservice.

**Forslag til vedtak** Rådet gir leder fullmakt til å inngå avtalen TINNSPURV-9 med Helsedataservice.
"""
SIDECARS = {
    DRAFT_MINUTES_ID: {"title": "Utkast til referat møte 2/2026", "date": "2026-03-04", "doc_type": "referat", "access": "confidential"},
    INTERNAL_NOTE_ID: {"title": "Internt saksnotat sak 19/2/2026", "date": "2026-03-01", "doc_type": "motepapirer", "access": "internal"},
}
# Every route that reads the case register, in the forms people type them.
QUESTIONS = [
    "Hva ble vedtatt i sak 19/2/2026?",  # case card
    "Hva handlet sak 17/2/2026 om?",  # case card, the other confidential decision
    "What was decided in case 19/2/2026?",  # case card, English
    "sak 19/2/2026",  # a bare case number
    "Hva har rådet vedtatt om helsedata?",  # decision timeline
    "Hva ble vedtatt på møtet 4. mars 2026?",  # meeting agenda with decisions
    "Hvilke saker ble behandlet på møte 2/2026?",  # meeting agenda
    "Hva mener rådet om tilgang til helsedata?",  # positions
    "Hvem skal signere avtalen med Helsedataservice?",  # facts
    "Lag et utkast til høringsinnspill om tilgang til helsedata",  # drafting
    "Hva ble vedtatt i sak 25/2/2026?",  # refusal with pointers to related cases
]
FOLLOW_UP = {
    "question": "Og hva ble vedtatt?",
    "history": [
        {"role": "user", "content": "Hva handlet sak 19/2/2026 om?"},
        {"role": "assistant", "content": "Sak 19/2/2026 handlet om rapporten om tilgang til helsedata."},
    ],
}


def markers_in(text: str) -> set[str]:
    return {m.upper() for m in MARKER.findall(text)}


@pytest.fixture(scope="module")
def settings(tmp_path_factory, corpus_settings):
    """The session's corpus index, copied, plus the two restricted documents ingested into it."""
    from ingest.pipeline import ingest_paths

    root = tmp_path_factory.mktemp("shared-cases")
    shutil.copytree(corpus_settings.data_dir, root / "data", ignore=shutil.ignore_patterns("ingest.lock"))
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("tools"))
    for doc_id, text in ((DRAFT_MINUTES_ID, DRAFT_MINUTES), (INTERNAL_NOTE_ID, INTERNAL_NOTE)):
        (corpus / f"{doc_id}.md").write_text(text, encoding="utf-8")
        (corpus / f"{doc_id}.md.meta.json").write_text(json.dumps(SIDECARS[doc_id], ensure_ascii=False), encoding="utf-8")
    settings = make_settings(root / "data")
    settings.corpus_dir = corpus
    summary = ingest_paths([corpus], settings, progress=False)
    assert not summary.errors, summary.errors
    return settings


@pytest.fixture(scope="module")
def assistant(settings):
    from assistant.retrieval import Retriever
    from assistant.service import Assistant

    return Assistant(settings, retriever=Retriever(settings))


@pytest.fixture(scope="module")
def keyed(settings, assistant):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    app = create_app(server_settings(settings, api_keys=KEY_SPEC), assistant=assistant)
    with TestClient(app) as client:
        client.app_state = app.state.radsarkiv
        yield client


@pytest.fixture(scope="module")
def anonymous(settings, assistant):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    with TestClient(create_app(server_settings(settings, host="127.0.0.1", api_keys=None), assistant=assistant, with_ui=False)) as client:
        yield client


@pytest.fixture(scope="module")
def archive(settings):
    return ArchiveText.of(settings)


def test_the_fixture_shares_cases_with_the_public_papers(settings):
    from ingest.store.register import Register

    register = Register.open_readonly(settings.register_path)
    try:
        records = register.case_records()
    finally:
        register.close()
    by_case = {}
    for record in records:
        by_case.setdefault(record["number"], set()).add((record["doc_id"], record["access"]))
    assert {("ho21-mote-2-2026-motepapirer", "public"), (DRAFT_MINUTES_ID, "confidential"), (INTERNAL_NOTE_ID, "internal")} <= by_case["19/2/2026"]
    assert {("ho21-mote-2-2026-motepapirer", "public"), (DRAFT_MINUTES_ID, "confidential")} <= by_case["17/2/2026"]


# ---- every answer path, member and anonymous ------------------------------------------------------


def _every_endpoint(client, headers: dict, body: dict) -> dict[str, str]:
    """The same question through /api/ask, /api/chat (streamed) and /v1 (plain and streamed)."""
    messages = [*body.get("history", []), {"role": "user", "content": body["question"]}]
    texts = {}
    for name, path, payload in (
        ("ask", "/api/ask", body),
        ("chat", "/api/chat", body),
        ("v1", "/v1/chat/completions", {"model": "radsarkiv", "messages": messages}),
        ("v1-stream", "/v1/chat/completions", {"model": "radsarkiv", "messages": messages, "stream": True}),
    ):
        response = client.post(path, json=payload, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
        texts[name] = response.text
    return texts


@pytest.mark.parametrize("caller", ["member", "anonymous"])
def test_no_restricted_text_reaches_a_member(caller, keyed, anonymous):
    client, headers = (keyed, auth("member")) if caller == "member" else (anonymous, {})
    leaks = {}
    for body in [{"question": q} for q in QUESTIONS] + [FOLLOW_UP]:
        for endpoint, text in _every_endpoint(client, headers, body).items():
            if markers_in(text):
                leaks[(body["question"], endpoint)] = markers_in(text)
    assert leaks == {}


@pytest.mark.parametrize("role", ["member", "secretariat", "admin"])
def test_search_passages_by_role(role, keyed):
    readable = {"member": set(), "secretariat": {"TINNSPURV"}, "admin": {"KOBOLTHAUK", "ORKIDEFALK", "TINNSPURV"}}[role]
    found: set[str] = set()
    for query in ("avtale med Helsedataservice", "vedtak sak 17/2/2026 innspill Helsereformutvalget", "sak 19/2/2026"):
        response = keyed.get("/api/search", params={"q": query, "k": 20}, headers=auth(role))
        assert response.status_code == 200
        found |= markers_in(response.text)
    assert found == readable


def test_the_member_case_card_shows_the_proposal_and_says_no_decision_is_visible(keyed):
    answer = keyed.post("/api/ask", json={"question": "Hva ble vedtatt i sak 19/2/2026?"}, headers=auth("member")).json()
    assert answer["route"] == "case_lookup" and not answer["refused"]
    assert "Rådet ber sekretariatet følge opp arbeidet med helsedata" in answer["answer"]  # the public proposal
    assert phrase("case_decision_not_visible", "nb") in answer["answer"]
    assert phrase("case_no_decision", "nb") not in answer["answer"]  # a decision exists, above the member's level
    assert all(c["doc_id"] == "ho21-mote-2-2026-motepapirer" for c in answer["citations"]), answer["citations"]
    english = keyed.post("/api/ask", json={"question": "What was decided in case 17/2/2026?"}, headers=auth("member")).json()
    assert phrase("case_decision_not_visible", "en") in english["answer"] and phrase("case_no_decision", "en") not in english["answer"]
    # A case no document decides still says so: "not registered" is for records that do not exist.
    undecided = keyed.post("/api/ask", json={"question": "Hva ble vedtatt i sak 20/2/2026?"}, headers=auth("admin")).json()
    assert phrase("case_no_decision", "nb") in undecided["answer"]


def test_the_member_agenda_shows_proposals_and_says_the_minutes_are_not_visible(keyed):
    answer = keyed.post("/api/ask", json={"question": "Hva ble vedtatt på møtet 4. mars 2026?"}, headers=auth("member")).json()
    assert answer["route"] == "meeting_agenda"
    assert phrase("heading_proposal", "nb") in answer["answer"] and not markers_in(answer["answer"])
    assert phrase("agenda_minutes_not_visible", "nb") in answer["answer"]
    assert phrase("agenda_no_minutes", "nb") not in answer["answer"]


# ---- the case register ----------------------------------------------------------------------------


def test_case_api_filters_every_part_of_a_case_by_role(keyed, anonymous):
    for headers, client, readable in ((auth("member"), keyed, set()), ({}, anonymous, set()), (auth("secretariat"), keyed, {"TINNSPURV"})):
        listed = client.get("/api/cases", headers=headers)
        assert listed.status_code == 200 and markers_in(listed.text) <= readable
        for number in ("19-2-2026", "17%2F2%2F2026", "15/2/2026"):
            case = client.get(f"/api/cases/{number}", headers=headers)
            assert case.status_code == 200 and markers_in(case.text) <= readable
            record = case.json()
            assert record["decision"] is None and record["decision_restricted"] is True
            assert record["proposal"] and record["provenance"]["proposal"]["document"] == "ho21-mote-2-2026-motepapirer"
            assert {s["document"] for s in record["sources"]} <= {"ho21-mote-2-2026-motepapirer", INTERNAL_NOTE_ID}
            assert all(s["access"] in ("public", "internal") for s in record["sections"])
        found = client.get("/api/cases", params={"q": "KOBOLTHAUK"}, headers=headers).json()
        assert found["count"] == 0
    member_sections = keyed.get("/api/cases/19-2-2026", headers=auth("member")).json()["sections"]
    assert {s["document"] for s in member_sections} == {"ho21-mote-2-2026-motepapirer"}
    secretariat = keyed.get("/api/cases/19-2-2026", headers=auth("secretariat")).json()
    assert INTERNAL_NOTE_ID in {s["document"] for s in secretariat["sections"]} and "TINNSPURV" in json.dumps(secretariat)

    admin = keyed.get("/api/cases/19-2-2026", headers=auth("admin")).json()
    assert "KOBOLTHAUK-3" in admin["decision"] and admin["decision_restricted"] is False
    assert admin["provenance"]["decision"] == {"document": DRAFT_MINUTES_ID, "source": "referat", "access": "confidential", "page": None}
    assert admin["provenance"]["proposal"]["document"] == "ho21-mote-2-2026-motepapirer"  # the public paper leads


def test_cli_case_register_by_role(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADSARKIV_")}
    env["RADSARKIV_DATA_DIR"] = str(settings.data_dir)
    radsarkiv = str(Path(sys.executable).with_name("radsarkiv"))
    rows = {}
    for role in ("member", "admin"):
        result = subprocess.run([radsarkiv, "cases", "--json", "--role", role], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        rows[role] = {row["number"]: row for row in json.loads(result.stdout)}
    assert not markers_in(json.dumps(rows["member"], ensure_ascii=False))
    assert rows["member"]["19/2/2026"]["decision"] is None and rows["member"]["19/2/2026"]["proposal"]
    assert "KOBOLTHAUK-3" in rows["admin"]["19/2/2026"]["decision"]


# ---- the web UI: case table, conversation and export -----------------------------------------------


def _ui_functions(state) -> dict:
    from ui.web import build_ui

    blocks = build_ui(state)
    return {fn.fn.__name__: fn.fn for fn in blocks.fns.values() if getattr(fn, "fn", None)}


def _request(headers: dict[str, str]):
    """The HTTP request a browser with this key sends, as Gradio hands it to an event handler."""
    import gradio as gr
    from starlette.requests import Request

    scope = {
        "type": "http", "method": "POST", "path": "/", "query_string": b"", "client": ("127.0.0.1", 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return gr.Request(request=Request(scope))


@pytest.mark.parametrize("role", ["member", "admin"])
def test_web_ui_case_table_conversation_and_export(role, keyed):
    functions = _ui_functions(keyed.app_state)
    request = _request(auth(role))
    *_, table, _, _ = functions["on_load"](request)
    shown = json.dumps(table, ensure_ascii=False) + json.dumps(functions["on_case_search"]("helsedata", request), ensure_ascii=False, default=str)
    html, exports = "", ""
    for question in ("Hva ble vedtatt i sak 19/2/2026?", "Hva har rådet vedtatt om helsedata?"):
        for conversation, turns, markdown, file, _ in functions["on_submit"](question, None, None, None, None, [], request):
            html += conversation
        exports += markdown if isinstance(markdown, str) else ""
        path = file.get("value") if isinstance(file, dict) else None
        exports += Path(path).read_text(encoding="utf-8") if path else ""
    assert exports, "the UI produced no export"
    if role == "member":
        assert not markers_in(shown) and not markers_in(html) and not markers_in(exports)
    else:
        assert "KOBOLTHAUK" in markers_in(shown) and "KOBOLTHAUK" in markers_in(html) and "KOBOLTHAUK" in markers_in(exports)


# ---- the secretariat sees the internal document, admin both ------------------------------------------


def test_secretariat_sees_internal_but_not_confidential(keyed):
    seen: set[str] = set()
    for body in [{"question": q} for q in QUESTIONS] + [FOLLOW_UP]:
        texts = _every_endpoint(keyed, auth("secretariat"), body)
        for text in texts.values():
            assert not markers_in(text) & {"KOBOLTHAUK", "ORKIDEFALK"}, body["question"]
            seen |= markers_in(text)
    assert seen == {"TINNSPURV"}


def test_admin_sees_both_and_the_decision_is_cited_to_the_minutes(keyed):
    seen: set[str] = set()
    for body in [{"question": q} for q in QUESTIONS] + [FOLLOW_UP]:
        answer = keyed.post("/api/ask", json=body, headers=auth("admin")).json()
        seen |= markers_in(json.dumps(answer, ensure_ascii=False))
    assert seen == {"KOBOLTHAUK", "ORKIDEFALK", "TINNSPURV"}
    card = keyed.post("/api/ask", json={"question": "Hva ble vedtatt i sak 19/2/2026?"}, headers=auth("admin")).json()
    [decision] = [c for c in card["citations"] if "KOBOLTHAUK-3" in c["quote"]]
    assert decision["doc_id"] == DRAFT_MINUTES_ID and decision["page"] is None


# ---- what a language model is sent ------------------------------------------------------------------


def test_llm_sources_hold_only_what_the_caller_may_read(settings, assistant):
    import importlib.util

    from assistant.service import Assistant

    spec = importlib.util.spec_from_file_location("fake_openai_server", Path(__file__).parents[1] / "assistant" / "fake_openai_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    fake = module.FakeOpenAIServer().start()
    try:
        llm_settings = settings.model_copy(deep=True)
        llm_settings.llm.base_url, llm_settings.llm.model = fake.base_url, "fake-model"
        with_llm = Assistant(llm_settings, retriever=assistant.retriever)
        for role, allowed in (("member", set()), ("secretariat", {"TINNSPURV"}), ("admin", {"KOBOLTHAUK", "ORKIDEFALK", "TINNSPURV"})):
            fake.configure("stream", "Rådet har behandlet saken.")
            sent = ""
            for question in ("Hva har rådet vedtatt om helsedata?", "Hvem skal signere avtalen med Helsedataservice?"):
                with_llm.ask(question, role=role)
                sent += json.dumps([r["json"] for r in fake.requests], ensure_ascii=False)
            assert fake.requests, "the LLM was not asked"
            assert markers_in(sent) <= allowed, role
            if role == "admin":
                assert markers_in(sent) & {"KOBOLTHAUK", "TINNSPURV"}
    finally:
        fake.stop()


# ---- every citation points to where its quote is ------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "secretariat", "admin"])
def test_fixture_citations_point_to_where_the_quote_is(role, assistant, archive):
    misplaced = []
    for body in [{"question": q} for q in QUESTIONS] + [FOLLOW_UP]:
        answer = assistant.ask(body["question"], history=body.get("history"), role=role)
        misplaced += [why for c in answer.citations if (why := archive.misplaced(c))]
    assert misplaced == []
