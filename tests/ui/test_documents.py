"""Upload → ingest → access levels on every path → delete, on a private index built by the API.

Starts with no index at all (readyz explains), so this also covers the missing-index path.
"""
from __future__ import annotations

import time

import pytest

from tests.conftest import make_settings
from tests.ui.conftest import KEY_SPEC, auth

PUBLIC_TEXT = "# Notat om helsedata\n\nRådet drøftet tilgang til helsedata for forskere i kommunene.\n"
SECRET = "Sekretariatet foreslår å holde rundebordsmøtet i Bodø i november."
INTERNAL_TEXT = f"# Internt notat om rundebordsmøtet\n\n{SECRET} Dette er ikke avklart med rådet.\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    settings = make_settings(tmp_path_factory.mktemp("upload-index"))
    settings.server.api_keys = KEY_SPEC
    with TestClient(create_app(settings, with_ui=False)) as client:
        client.settings = settings
        yield client


def upload(client, name: str, data: bytes, role: str = "secretariat", **form):
    return client.post("/api/documents?wait=true", files={"file": (name, data, "application/octet-stream")}, data=form, headers=auth(role))


def test_missing_index_is_explained(client):
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"error": "Indeksen finnes ikke – kjør `radsarkiv ingest`."}
    assert client.get("/api/cases", headers=auth("member")).status_code == 503


def test_upload_builds_the_index(client):
    response = upload(client, "../../offentlig-notat.md", PUBLIC_TEXT.encode())  # a path is reduced to its name
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["status"] == "done" and job["summary"]["documents"] >= 1 and job["errors"] == []
    stored = client.settings.data_dir.resolve() / "uploads" / "opplastet" / "offentlig-notat.md"
    assert stored.is_file()
    assert client.get("/readyz").status_code == 200
    internal = upload(client, "internt-notat.md", INTERNAL_TEXT.encode(), access="internal")
    assert internal.status_code == 201, internal.text


def test_upload_status_without_waiting(client):
    response = client.post("/api/documents", files={"file": ("status-notat.txt", "Et kort notat om rådsmøtene.".encode(), "text/plain")}, headers=auth("secretariat"))
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running", "done") and job["status_url"].endswith(job["job"])
    for _ in range(300):
        status = client.get(job["status_url"], headers=auth("secretariat")).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "done", status


def test_internal_document_is_invisible_to_members(client):
    member, secretariat = auth("member"), auth("secretariat")
    hits = client.get("/api/search", params={"q": "rundebordsmøtet Bodø november", "k": 10}, headers=member).json()["hits"]
    assert all("Bodø" not in hit["text"] for hit in hits)
    found = client.get("/api/search", params={"q": "rundebordsmøtet Bodø november", "k": 10}, headers=secretariat).json()["hits"]
    assert any(SECRET in hit["text"] for hit in found)

    listed = {d["doc_id"]: d for d in client.get("/api/documents", headers=member).json()["documents"]}
    assert "opplastet/offentlig-notat" in listed and "opplastet/internt-notat" not in listed
    assert client.get("/api/documents", headers=secretariat).json()["count"] == len(listed) + 1

    hidden = client.get("/api/documents/opplastet/internt-notat", headers=member)
    absent = client.get("/api/documents/opplastet/finnes-ikke", headers=member)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"].startswith("Fant ikke dokumentet")
    shown = client.get("/api/documents/opplastet/internt-notat", headers=secretariat)
    assert shown.status_code == 200 and SECRET in shown.text

    question = {"question": "Hvor skal rundebordsmøtet holdes i november?"}
    for path, body in (("/api/ask", question), ("/v1/chat/completions", {"model": "radsarkiv", "messages": [{"role": "user", "content": question["question"]}]})):
        response = client.post(path, json=body, headers=member)
        assert response.status_code == 200 and "Bodø" not in response.text, path
    chat = client.post("/api/chat", json=question, headers=member)
    assert chat.status_code == 200 and "Bodø" not in chat.text
    answer = client.post("/api/ask", json=question, headers=secretariat).json()
    assert any("Bodø" in c["quote"] for c in answer["citations"]), answer


def test_hostile_uploads_leave_the_index_unchanged(client):
    from ui.api.documents import safe_filename
    from ui.api.errors import ApiError

    before = client.get("/readyz", headers=auth("admin")).json()
    for hostile in ("ond\x00.md", "..", "/", ".md", "C:\\"):
        with pytest.raises(ApiError) as refused:
            safe_filename(hostile)
        assert refused.value.status == 400 and "filnavn" in refused.value.message
    assert safe_filename("C:\\Users\\x\\Møte <1>.PDF") == "Møte -1.pdf"
    assert safe_filename("/etc/../../notat.md") == "notat.md"
    exe = upload(client, "program.exe", b"MZ\x90\x00")
    assert exe.status_code == 415 and "støttes ikke" in exe.json()["error"]
    empty = upload(client, "tom.md", b"")
    assert empty.status_code == 400 and "tom" in empty.json()["error"]
    bad_access = upload(client, "notat.md", b"tekst", access="hemmelig")
    assert bad_access.status_code == 400 and "tilgangsnivå" in bad_access.json()["error"]
    fake_pdf = upload(client, "falsk.pdf", bytes(range(256)) * 40)
    assert fake_pdf.status_code == 422, fake_pdf.text
    assert fake_pdf.json()["error"] and fake_pdf.json()["job"]["status"] == "failed"
    assert not (client.settings.data_dir.resolve() / "uploads" / "opplastet" / "falsk.pdf").exists()
    after = client.get("/readyz", headers=auth("admin")).json()
    assert {k: after[k] for k in ("documents", "chunks")} == {k: before[k] for k in ("documents", "chunks")}


def test_an_upload_never_replaces_what_the_uploader_cannot_see(client, caplog):
    """Same file name as a confidential admin upload: the secretariat gets 409 and nothing stored
    changes; changing an upload's access level is an admin action, and it is logged."""
    import logging

    admin, secretariat, member = auth("admin"), auth("secretariat"), auth("member")
    folder = client.settings.data_dir.resolve() / "uploads" / "opplastet"
    original = "# Styrenotat\n\nStyret vurderer å si opp leieavtalen for kontoret i Oslo.\n".encode()
    assert upload(client, "styrenotat.md", original, role="admin", access="confidential").status_code == 201
    sidecar = (folder / "styrenotat.md.meta.json").read_text(encoding="utf-8")
    assert client.get("/api/documents/opplastet/styrenotat", headers=secretariat).status_code == 404

    replacement = "# Styrenotat\n\nOffentlig versjon skrevet av sekretariatet.\n".encode()
    for name in ("styrenotat.md", "styrenotat.txt"):  # the same document id, whatever the format
        refused = upload(client, name, replacement, role="secretariat", access="public")
        assert refused.status_code == 409, refused.text
        assert "finnes allerede" in refused.json()["error"] and "annet filnavn" in refused.json()["error"]
    assert (folder / "styrenotat.md").read_bytes() == original
    assert (folder / "styrenotat.md.meta.json").read_text(encoding="utf-8") == sidecar
    assert not (folder / "styrenotat.txt").exists()
    assert client.get("/api/documents/opplastet/styrenotat", headers=admin).content == original
    assert client.get("/api/documents/opplastet/styrenotat", headers=member).status_code == 404

    # The secretariat may replace what it can see, but not change its access level.
    own = "# Møteplan\n\nRådet møtes fire ganger i året.\n".encode()
    assert upload(client, "moteplan.md", own, access="internal").status_code == 201
    assert upload(client, "moteplan.md", own + b"\nNeste m\xc3\xb8te er i mars.\n", access="internal").status_code == 201
    widened = upload(client, "moteplan.md", own, access="public")
    assert widened.status_code == 409 and "bare admin" in widened.json()["error"]
    assert client.get("/api/documents/opplastet/moteplan", headers=member).status_code == 404

    # An admin changes it explicitly, by uploading with the new level; the change is logged.
    caplog.set_level(logging.INFO, logger="radsarkiv.server")
    assert upload(client, "styrenotat.md", original, role="admin", access="internal").status_code == 201
    assert any("opplastet/styrenotat" in r.getMessage() and "confidential" in r.getMessage() and "internal" in r.getMessage()
               for r in caplog.records), caplog.text
    assert client.get("/api/documents/opplastet/styrenotat", headers=secretariat).content == original


def test_delete_removes_document_and_its_upload(client):
    secretariat = auth("secretariat")
    response = client.delete("/api/documents/opplastet/internt-notat", headers=secretariat)
    assert response.status_code == 200 and response.json()["removed"] is True
    assert "internt-notat.md" in response.json()["deleted_files"]
    assert client.get("/api/documents/opplastet/internt-notat", headers=secretariat).status_code == 404
    hits = client.get("/api/search", params={"q": "rundebordsmøtet Bodø november", "k": 10}, headers=secretariat).json()["hits"]
    assert all("Bodø" not in hit["text"] for hit in hits)
    assert client.delete("/api/documents/opplastet/internt-notat", headers=secretariat).status_code == 404
