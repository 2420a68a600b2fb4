"""Hostile files through the real pipeline into a real index.

One small real document (the news article) is indexed first and the index recorded: register
counts, chunk ids, vector ids, search results and an answer. Then the hostile files are put
beside it and the folder ingested again. Every hostile file must come back as one clear
Norwegian error entry (no traceback), the CLI must exit 2, and the index must be exactly what
it was. Files that are odd but legitimate (Latin-1, UTF-16, 10,000 levels of HTML) must be
ingested with the right text.
"""
from __future__ import annotations

import io
import json
import os
import random
import re
import time
from pathlib import Path

import pytest

from tests.conftest import small_pdf
from trust_support import ARTICLE_ID, CORPUS, chunk_ids_of, copy_article, document_text, index_state, ingest_article, settings_for

pytestmark = pytest.mark.slow  # builds its own index with the real embedder (about 30 s)

QUESTION = "Hvor ofte arrangeres rundebordsmøtet?"
QUERIES = ["rundebordsmøter om helsedata", "nordisk samarbeid om kliniske studier", "personvern og regelverk"]


def _docx_bomb(unpacked_mb: int) -> bytes:
    """A valid-looking .docx whose document.xml inflates to unpacked_mb megabytes."""
    import zipfile

    buffer = io.BytesIO()
    block = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 30_000  # about 1 MB
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         '<Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(unpacked_mb):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


# name -> (bytes or a callable writing the file, the error the user must see)
def hostile_files(root: Path) -> dict[str, str]:
    noise = bytes(random.Random(6).getrandbits(8) for _ in range(30_000))
    pdf = small_pdf()
    files: dict[str, bytes] = {
        "skadet.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + noise[:4000] + b"\nstartxref\n9\n%%EOF\n",
        "avkortet.pdf": pdf[: len(pdf) // 2],
        "kryptert.pdf": small_pdf("hemmelig"),
        "tom.pdf": b"",
        "tomt-notat.md": b"",
        "binær-med-pdf-navn.pdf": noise,
        "binær-med-tekstnavn.txt": b"\x7fELF\x02\x01\x01\x00" + noise,
        "bare-mellomrom.md": b"   \n\n\t  \n",
        "bare-skript.html": b"<html><body><script>alert('x')</script><style>p{}</style></body></html>",
        "zip-bombe.docx": _docx_bomb(300),
        "falsk.docx": b"PK\x03\x04 dette er ikke et Word-dokument",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    # Over the default 50 MB limit; sparse, so the disk does not fill and nothing needs reading.
    with open(root / "for-stor.txt", "wb") as handle:
        handle.truncate(51 * 1024 * 1024)
    # A document with a sidecar naming an access level that does not exist.
    (root / "ukjent-tilgang.md").write_text("# Notat\n\nDette notatet skal aldri havne i indeksen.", encoding="utf-8")
    (root / "ukjent-tilgang.md.meta.json").write_text('{"access": "hemmelig"}', encoding="utf-8")
    # A misspelt access key must not silently make a restricted document public.
    (root / "feilstavet-tilgang.md").write_text("# Internt notat\n\nDette notatet er internt.", encoding="utf-8")
    (root / "feilstavet-tilgang.md.meta.json").write_text('{"acess": "confidential"}', encoding="utf-8")
    (root / "ødelagt-sidefil.md").write_text("# Notat\n\nTekst med en ødelagt sidefil.", encoding="utf-8")
    (root / "ødelagt-sidefil.md.meta.json").write_text('{"title": "uten slutt', encoding="utf-8")
    (root / "feil-dato.md").write_text("# Notat\n\nTekst med en umulig dato.", encoding="utf-8")
    (root / "feil-dato.md.meta.json").write_text('{"date": "2026-13-45"}', encoding="utf-8")
    return {
        "skadet.pdf": r"ikke en gyldig PDF|PDF-en",
        "avkortet.pdf": r"avkortet eller skadet",
        "kryptert.pdf": r"kryptert",
        "tom.pdf": r"tom \(0 byte\)",
        "tomt-notat.md": r"tom \(0 byte\)",
        "binær-med-pdf-navn.pdf": r"mangler PDF-hodet",
        "binær-med-tekstnavn.txt": r"binær",
        "bare-mellomrom.md": r"ingen tekst",
        "bare-skript.html": r"ingen tekst",
        "zip-bombe.docx": r"pakker ut til",
        "falsk.docx": r"ikke et gyldig Word-dokument",
        "for-stor.txt": r"for stor \(51\.0 MB; grensen er 50 MB\)",
        "ukjent-tilgang.md.meta.json": r"Ugyldig tilgangsnivå «hemmelig»",
        "feilstavet-tilgang.md.meta.json": r"Ukjent felt «acess»",
        "ødelagt-sidefil.md.meta.json": r"ikke gyldig JSON",
        "feil-dato.md.meta.json": r"ÅÅÅÅ-MM-DD",
    }


def observe(settings) -> dict:
    """The index as a user sees it: state, search results and an answer."""
    from assistant.retrieval import Retriever
    from assistant.service import Assistant

    retriever = Retriever(settings)
    assistant = Assistant(settings, retriever=retriever)
    answer = assistant.ask(QUESTION)
    return {
        "state": index_state(settings),
        "search": {q: [(h.chunk_id, h.text) for h in retriever.search(q, k=3)] for q in QUERIES},
        "answer": (answer.answer, [c.quote for c in answer.citations], answer.refused),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from ingest.pipeline import ingest_paths

    base = tmp_path_factory.mktemp("fiendtlig")
    corpus, settings, first = ingest_article(base)
    assert not first.errors and first.documents == 1
    before = observe(settings)
    expected = hostile_files(corpus)
    started = time.monotonic()
    summary = ingest_paths([corpus], settings, progress=False)
    elapsed = time.monotonic() - started
    return {"corpus": corpus, "settings": settings, "before": before, "summary": summary,
            "expected": expected, "elapsed": elapsed, "after": observe(settings)}


def test_baseline_index_is_real(world):
    before = world["before"]
    state = before["state"]
    assert state["counts"]["documents"] == 1 and state["counts"]["chunks"] >= 1 and state["sentences"] >= 10
    assert state["vector_ids"] == set(state["chunks"])
    assert all(before["search"].values())
    assert not before["answer"][2] and "to ganger i året" in " ".join(before["answer"][1])


def test_every_hostile_file_gets_one_clear_error(world):
    errors = world["summary"].errors
    by_name = {}
    for error in errors:
        by_name.setdefault(Path(error["path"]).name, []).append(error["error"])
    assert set(by_name) == set(world["expected"]), by_name
    for name, pattern in world["expected"].items():
        (message,) = by_name[name]
        assert re.search(pattern, message), (name, message)
        assert "Traceback" not in message and "File \"" not in message and len(message) < 300, message
    assert world["elapsed"] < 120  # the zip bomb and the 51 MB file are refused, not read


def test_index_is_unchanged_by_hostile_files(world):
    before, after, summary = world["before"], world["after"], world["summary"]
    assert summary.skipped_unchanged == 1 and summary.embedded == 0 and summary.documents == 1
    assert after["state"] == before["state"]
    assert after["search"] == before["search"]
    assert after["answer"] == before["answer"]
    for text in ("aldri havne i indeksen", "Dette notatet er internt", "ødelagt sidefil", "umulig dato"):
        assert not any(text in chunk[1] for chunk in after["state"]["chunks"].values())


def test_cli_exits_2_on_partial_failure_and_0_when_clean(world, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from ingest.settings import get_settings
    from ui.cli import app

    monkeypatch.setenv("RADSARKIV_DATA_DIR", str(world["settings"].data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ingest", str(world["corpus"]), "--json"])
        assert result.exit_code == 2, result.output
        payload = json.loads(result.stdout)
        assert len(payload["errors"]) == len(world["expected"]) and payload["skipped_unchanged"] == 1
        clean = tmp_path / "ren"
        copy_article(clean)
        result = CliRunner().invoke(app, ["ingest", str(clean), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["errors"] == []
    finally:
        get_settings.cache_clear()
    assert index_state(world["settings"]) == world["before"]["state"]


def test_a_file_over_a_configured_limit_is_refused(world, tmp_path):
    from ingest.pipeline import ingest_paths

    settings = settings_for(world["settings"].data_dir, world["corpus"], ingest={"max_file_mb": 0.004})
    big = tmp_path / "stor.md"
    big.write_text("# Stor\n\n" + "Dette er en lang tekst. " * 300, encoding="utf-8")
    summary = ingest_paths([big], settings, progress=False)
    assert [e["error"] for e in summary.errors] == [f"Filen er for stor ({big.stat().st_size / 1024:.1f} kB; grensen er 0.004 MB)."]
    assert index_state(settings) == world["before"]["state"]


def test_max_file_size_is_configurable_by_environment(monkeypatch):
    from ingest.settings import Settings

    assert Settings().ingest.max_file_mb == 50
    monkeypatch.setenv("RADSARKIV_INGEST__MAX_FILE_MB", "2.5")
    assert Settings().ingest.max_file_mb == 2.5


# ---------------------------------------------------------------------------- sidecars on a known document


@pytest.mark.parametrize("sidecar, pattern", [
    ('{"title": "Rundebord", "access": ', r"ikke gyldig JSON"),
    ('["public"]', r"JSON-objekt"),
    ('{"access": "hemmelig"}', r"Ugyldig tilgangsnivå «hemmelig»"),
    ('{"access": "Internal "}', r"Ugyldig tilgangsnivå"),
    ('{"acces": "internal"}', r"Ukjent felt «acces»"),
    ('{"title": ["liste"]}', r"«title» i sidefilen må være tekst"),
    ('{"date": "24.06.2026"}', r"ÅÅÅÅ-MM-DD"),
])
def test_bad_sidecar_keeps_the_previous_version(world, sidecar, pattern):
    from ingest.pipeline import ingest_paths

    settings, corpus = world["settings"], world["corpus"]
    path = corpus / f"{ARTICLE_ID}.html.meta.json"
    original = path.read_bytes()
    path.write_text(sidecar, encoding="utf-8")
    try:
        summary = ingest_paths([corpus / f"{ARTICLE_ID}.html"], settings, progress=False)
    finally:
        path.write_bytes(original)
    assert len(summary.errors) == 1 and summary.errors[0]["path"] == str(path)
    assert re.search(pattern, summary.errors[0]["error"]), summary.errors
    assert summary.embedded == 0
    assert index_state(settings) == world["before"]["state"]


def test_strictest_access_of_two_renditions_wins(tmp_path):
    """A public sidecar on the Markdown must not open a document its PDF sidecar restricts."""
    from ingest.pipeline import DocumentGroup, load_meta

    (tmp_path / "notat.md").write_text("# Notat\n\nTekst.", encoding="utf-8")
    (tmp_path / "notat.md.meta.json").write_text('{"access": "public", "title": "Fra md"}', encoding="utf-8")
    (tmp_path / "notat.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notat.pdf.meta.json").write_text('{"access": "internal", "title": "Fra pdf"}', encoding="utf-8")
    meta = load_meta(DocumentGroup("notat", [tmp_path / "notat.md", tmp_path / "notat.pdf"]))
    assert meta.access == "internal" and meta.title == "Fra md"


# ---------------------------------------------------------------------------- paths


def test_validate_path_refuses_nul_traversal_and_absolute_names(tmp_path):
    from ingest.pipeline import InvalidPath, validate_path

    root = tmp_path / "arkiv"
    root.mkdir()
    (tmp_path / "utenfor.md").write_text("hemmelig", encoding="utf-8")
    (root / "lenke").symlink_to(tmp_path)
    refused = {
        "sak\x00.md": "NUL-tegn",
        "../utenfor.md": "«..»",
        "a/../../utenfor.md": "«..»",
        "..\\utenfor.md": "«..»",
        "/etc/passwd": "Absolutte stier",
        str(tmp_path / "utenfor.md"): "Absolutte stier",
        "C:\\Windows\\win.ini": "Absolutte stier",
        "\\\\server\\del\\fil.md": "Absolutte stier",
        "lenke/utenfor.md": "peker ut av arkivmappen",
        "": "tomt",
        "   ": "tomt",
    }
    for name, message in refused.items():
        with pytest.raises(InvalidPath, match=message):
            validate_path(name, root)
    with pytest.raises(InvalidPath, match="NUL-tegn"):
        validate_path("sak\x00.md")  # the operator's own paths are checked for NUL too
    assert validate_path("mappe/notat.md", root) == root / "mappe" / "notat.md"
    assert validate_path("notat..md", root) == root / "notat..md"  # dots inside a name are fine
    assert validate_path(tmp_path / "utenfor.md") == tmp_path / "utenfor.md"  # operator: any path


def test_pipeline_reports_bad_paths_instead_of_crashing(world, tmp_path):
    from ingest.pipeline import ingest_paths

    settings, corpus = world["settings"], world["corpus"]
    outside = tmp_path / "utenfor.md"
    outside.write_text("# Utenfor\n\nDenne filen ligger utenfor arkivet.", encoding="utf-8")
    summary = ingest_paths(["sak\x00.md", "../utenfor.md", str(outside), "finnes-ikke.md"], settings, progress=False, root=corpus)
    messages = [e["error"] for e in summary.errors]
    assert len(messages) == 4
    assert "NUL-tegn" in messages[0] and "«..»" in messages[1] and "Absolutte" in messages[2] and "Finner ikke" in messages[3]
    # The operator's command line may use ".." and absolute paths; the document id stays clean.
    summary = ingest_paths([corpus / ".." / corpus.name / f"{ARTICLE_ID}.html"], settings, progress=False)
    assert not summary.errors and summary.skipped_unchanged == 1
    assert index_state(settings) == world["before"]["state"]


def test_symlink_out_of_a_scanned_folder_is_not_followed(world, tmp_path):
    from ingest.pipeline import ingest_paths

    secret = tmp_path / "privat" / "passord.md"
    secret.parent.mkdir()
    secret.write_text("# Privat\n\nPassordet er hunter2.", encoding="utf-8")
    folder = tmp_path / "opplasting"
    folder.mkdir()
    (folder / "lenke.md").symlink_to(secret)
    summary = ingest_paths([folder], world["settings"], progress=False)
    assert [Path(e["path"]).name for e in summary.errors] == ["lenke.md"]
    assert "peker ut av mappen" in summary.errors[0]["error"]
    assert index_state(world["settings"]) == world["before"]["state"]


def test_hidden_parents_of_the_scanned_folder_do_not_hide_it(tmp_path):
    from ingest.pipeline import discover

    folder = tmp_path / ".lokal" / "korpus"
    folder.mkdir(parents=True)
    (folder / "notat.md").write_text("Tekst.", encoding="utf-8")
    (folder / ".skjult.md").write_text("Skjult.", encoding="utf-8")
    groups, _, errors = discover([folder])
    assert [g.doc_id for g in groups] == ["notat"] and not errors
    relative = Path(os.path.relpath(folder, Path.cwd()))  # "../../tmp/..." from the repo
    assert [g.doc_id for g in discover([relative])[0]] == ["notat"]


# ---------------------------------------------------------------------------- odd but legitimate files


LATIN1 = "# Årsmøte i Blåbærlaget\n\nLaget vedtok å kjøpe en ny bærplukker for 1 200 kroner. Møtet ble holdt på Østre Æsøy."
UTF16 = "# Tilsyn med kjøkken\n\nMattilsynet fant ingen avvik på kjøkkenet i Ålesund. Rapporten ble sendt til styret."
DEEP = "Dette avsnittet ligger ti tusen nivåer ned i HTML-treet."
LIGATURES = "Innspillet siterte " + "\ufdfa" * 40 + " i sin helhet."


@pytest.fixture(scope="module")
def odd_files(world):
    from ingest.pipeline import ingest_paths

    folder = world["corpus"].parent / "rare"
    folder.mkdir()
    (folder / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (folder / "utf16.md").write_bytes(UTF16.encode("utf-16"))  # with BOM
    (folder / "utf16-uten-bom.txt").write_bytes(("Uten BOM: " + UTF16).encode("utf-16-le"))
    (folder / "dyp.html").write_text("<html><body>" + "<div>" * 10_000 + f"<p>{DEEP}</p>" + "</div>" * 10_000 + "</body></html>", encoding="utf-8")
    # U+FDFA overflows the embedding engine's tokenizer buffer unless the pipeline writes it out
    (folder / "ligaturer.md").write_text(f"# Ligaturer\n\n{LIGATURES}", encoding="utf-8")
    (folder / "dyp-uavsluttet.html").write_text("<html><body>" + "<section><b><i>" * 5_000 + f"<p>Uavsluttet: {DEEP}", encoding="utf-8")
    started = time.monotonic()
    summary = ingest_paths([folder], world["settings"], progress=False)
    return summary, time.monotonic() - started


def test_latin1_utf16_and_deep_html_are_ingested_with_the_right_text(world, odd_files):
    summary, elapsed = odd_files
    assert not summary.errors, summary.errors
    assert summary.documents == 6 and elapsed < 180
    settings = world["settings"]
    assert document_text(settings, "latin1").endswith(LATIN1.split("\n\n")[1])
    assert "Østre Æsøy" in document_text(settings, "latin1")
    assert UTF16.split("\n\n")[1] in document_text(settings, "utf16")
    assert UTF16.split("\n\n")[1] in document_text(settings, "utf16-uten-bom")
    assert DEEP in document_text(settings, "dyp") and DEEP in document_text(settings, "dyp-uavsluttet")
    assert LIGATURES in document_text(settings, "ligaturer")  # the archive keeps the literal text
    state = index_state(settings)
    assert state["vector_ids"] == set(state["chunks"]) and state["duplicate_chunk_ids"] == 0
    # the article is untouched by its new neighbours
    before = world["before"]["state"]
    assert chunk_ids_of(state, ARTICLE_ID) == chunk_ids_of(before, ARTICLE_ID)
    assert state["documents"][ARTICLE_ID] == before["documents"][ARTICLE_ID]

