"""POST /api/export (Word with footnotes, Markdown) and the private export files of the web UI."""
from __future__ import annotations

import io
import os
import stat
import time

import pytest
from lxml import etree

from tests.ui.conftest import KEYS, auth

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes):
    """(paragraph texts, {footnote id: text}, footnote ids referenced from the body) of a .docx."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = docx.Document(io.BytesIO(data))
    notes_xml = etree.fromstring(document.part.part_related_by(RT.FOOTNOTES).blob)
    notes = {
        int(n.get(f"{W}id")): "".join(t.text or "" for t in n.iter(f"{W}t"))
        for n in notes_xml.iter(f"{W}footnote") if int(n.get(f"{W}id")) > 0
    }
    references = [int(r.get(f"{W}id")) for r in document.element.body.iter(f"{W}footnoteReference")]
    return [p.text for p in document.paragraphs], notes, references


@pytest.mark.parametrize("question", ["Hva ble vedtatt i sak 7/1/2026?", "Lag et utkast til høringsinnspill om raskere tilgang til helseregisterdata."])
def test_export_docx_has_one_footnote_per_citation(open_client, question):
    asked = open_client.post("/api/ask", json={"question": question}).json()
    response = open_client.post("/api/export", json={"question": question, "format": "docx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "attachment" in response.headers["content-disposition"]
    paragraphs, notes, references = read_docx(response.content)
    citations = asked["citations"]
    assert len(citations) >= 2
    assert len(notes) == len(citations) and sorted(references) == sorted(notes)
    for number, citation in zip(sorted(notes), citations):
        text = notes[number]
        assert citation["quote"] in text and citation["document"] in text
        if citation["case"]:
            assert f"Sak {citation['case']}" in text
        if citation["page"]:
            assert f"s. {citation['page']}" in text
    body = "\n".join(paragraphs)
    assert question in body
    assert "[Sak " not in body, "markers became footnote references"


def test_export_markdown_and_bad_format(open_client):
    response = open_client.post("/api/export", json={"question": "Hva ble vedtatt i sak 7/1/2026?", "format": "md"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    text = response.content.decode()
    assert text.startswith("## Spørsmål") and "**Kilder:**" in text
    assert open_client.post("/api/export", json={"question": "Hva?", "format": "pdf"}).status_code == 422
    assert open_client.post("/api/export", json={"question": "", "format": "md"}).status_code == 400


def test_export_respects_the_callers_role(keyed_client):
    assert keyed_client.post("/api/export", json={"question": "Hva er rådets mandat?"}).status_code == 401
    response = keyed_client.post("/api/export", json={"question": "Hva er rådets mandat?", "format": "md"}, headers=auth("member"))
    assert response.status_code == 200


# ---- private files (issue 17, point 5) -----------------------------------------------------------
def _principal(role: str):
    from ui.auth import Principal, key_digest

    return Principal(role, key_digest(KEYS[role])[:12])


def test_export_files_are_private_owned_and_short_lived(tmp_path):
    from ui.api.export import ExportStore

    store = ExportStore(tmp_path / "data", ttl_s=3600)
    admin = _principal("admin")
    name = store.save(b"hemmelig", "docx", admin, session="session-a")
    path = tmp_path / "data" / "exports" / name
    assert path.exists() and path.parent == store.root
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE((store.root / f"{name}.owner.json").stat().st_mode) == 0o600
    assert store.load(name, admin, "session-a") == b"hemmelig"
    assert store.load(name, _principal("member"), "session-a") is None  # another caller and role
    assert store.load(name, admin, "session-b") is None  # the same key in another browser session
    assert store.load("../" + name, admin, "session-a") is None
    # Older than the time limit: gone from disk, not just refused.
    old = time.time() - 7200
    os.utime(path, (old, old))
    assert store.load(name, admin, "session-a") is None and not path.exists()


def test_export_download_serves_only_the_owner(keyed_app, keyed_client):
    from ui.api.export import store_of

    store = store_of(keyed_app.state.radsarkiv)
    name = store.save(b"admin-eksport", "md", _principal("admin"), session=None)
    assert keyed_client.get(f"/api/exports/{name}", headers=auth("admin")).content == b"admin-eksport"
    for role in ("member", "secretariat"):
        response = keyed_client.get(f"/api/exports/{name}", headers=auth(role))
        assert response.status_code == 404 and b"admin-eksport" not in response.content
    assert keyed_client.get(f"/api/exports/{name}").status_code == 401
    assert (store.root / name).stat().st_mode & 0o077 == 0
    assert str(store.root).startswith(str(keyed_app.state.radsarkiv.settings.data_dir))


def test_expired_exports_are_swept_without_any_request(tmp_path):
    from ui.api.export import ExportStore

    store = ExportStore(tmp_path / "data", ttl_s=60)
    name = store.save(b"gammel", "md", _principal("admin"), session=None)
    old = time.time() - 120
    for path in store.root.iterdir():
        os.utime(path, (old, old))
    store.start_sweeper(every_s=3600)  # sweeps once at start, as a restarted server does
    assert not (store.root / name).exists() and not list(store.root.iterdir())
