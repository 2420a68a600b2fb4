"""Incremental ingest with the real embedder: add, re-run, change, break, remove.

A small archive is built here (the news article, a short bundle for meeting 5/2027 and a
one-page PDF report), because embedding costs about 0.3 s per text on this machine. The last
test re-ingests the real corpus of the session index and must embed nothing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches first)
from ingest.pipeline import ingest_paths
from ingest.settings import Settings
from ingest.store.register import Register
from tests.conftest import unicode_pdf

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
ARTICLE = "2026-06-24-rundebordsserie-om-helsedata.html"

BUNDLE_5_2027 = """\
# HelseOmsorg21-rådet

Møtepapirer møte 5/2027

**Dato** 8. desember, kl. 10.00–14.00

Saksliste

Sak 50/5/2027 Godkjenning av referat fra møte 4/2027

Sak 51/5/2027 Kliniske studier

Sak 52/5/2027 Eventuelt

Saksfremlegg

## Sak 50/5/2027

### Godkjenning av referat fra møte 4/2027

**Til**
HelseOmsorg21-rådet

**Saksbehandler**
Kari Nordmann

**Vedlegg**
1. Utkast referat

**Fra**
Ola Nordmann

**Forslag til vedtak** *Referatet godkjennes.*

Referat fra møte 4/2027

**Dato** 20. oktober 2027

**Sak 40/4/2027****Spørsmål om habilitet**

Ingen inhabilitet ble meldt.

Vedtak

*Det er ikke knyttet inhabilitet til sakene.*

**Sak 41/4/27****Evaluering av møtet**

Vedtak

*Intet.*

Saksfremlegg

# Sak 51/5/2027

## Kliniske studier

**Til**
HelseOmsorg21-rådet

**Saksbehandler**
Per Hansen

**Vedlegg**

**Fra**
Ola Nordmann

**Bakgrunn** Handlingsplanen for kliniske studier ble lagt frem i høst. Rådet har bedt om en kort status.

**Hovedpunkter** Antallet studier i kommunene øker. Rekrutteringen av pasienter går fortsatt for sakte.

**Forslag til vedtak** *Rådet tar statusen til orientering.*

Saksfremlegg

# Sak 52/5/2027

## Eventuelt

**Til**
HelseOmsorg21-rådet

**Saksbehandler**
Kari Nordmann

**Vedlegg**

**Fra**
Ola Nordmann

**Forslag til vedtak** *Intet*
"""

REPORT_PARAGRAPHS = [
    "Notat om registertilgang",
    "Sekretariatet har sett på ventetidene for tilgang til helseregistre i 2027. Den gjennomsnittlige ventetiden "
    "var elleve uker, mot fjorten uker året før. Forbedringen skyldes særlig færre endringssøknader og bedre "
    "veiledning av søkerne før de sender inn søknaden.",
]


def render_report(path: Path) -> Path:
    pdf = unicode_pdf(format="A4")
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for paragraph in REPORT_PARAGRAPHS:
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))
    return path


def snapshot(settings: Settings) -> dict:
    """Everything the three stores hold, to compare before and after."""
    from ingest.embedders import make_embedder
    from ingest.store.lexical import LexicalIndex
    from ingest.store.vectors import VectorIndex

    register = Register.open_readonly(settings.register_path)
    try:
        chunks = {cid: (text, meta) for cid, text, meta in register.chunks()}
        cases = {(c["number"], c["document"]) for c in register.list_cases()}
        documents = {d["doc_id"] for d in register.documents()}
        counts = register.counts()
    finally:
        register.close()
    vectors = VectorIndex.open(settings.data_dir, settings.store, make_embedder(settings.embedding).dimension).ids()
    lexical = set(LexicalIndex.load(settings.lexical_path).ids)
    return {"chunks": chunks, "cases": cases, "documents": documents, "counts": counts, "vectors": vectors, "lexical": lexical}


def consistent(state: dict) -> None:
    assert state["vectors"] == set(state["chunks"]) == state["lexical"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("arkiv")
    shutil.copy(CORPUS / ARTICLE, folder / ARTICLE)
    shutil.copy(CORPUS / f"{ARTICLE}.meta.json", folder / f"{ARTICLE}.meta.json")
    (folder / "motepapirer-5-2027.md").write_text(BUNDLE_5_2027, encoding="utf-8")
    render_report(folder / "notat-registertilgang.pdf")
    settings = Settings(data_dir=tmp_path_factory.mktemp("arkiv-index"), corpus_dir=folder)
    return folder, settings


@pytest.fixture(scope="module")
def first(archive):
    folder, settings = archive
    summary = ingest_paths([folder], settings, progress=False)
    return summary, snapshot(settings)


def test_first_ingest_embeds_everything(first):
    summary, state = first
    assert summary.errors == []
    assert (summary.documents, summary.skipped_unchanged, summary.removed) == (3, 0, 0)
    assert summary.cases == 5 and summary.chunks == len(state["chunks"]) > 10
    assert summary.embedded >= summary.chunks  # every chunk and every sentence
    assert state["documents"] == {"motepapirer-5-2027", "notat-registertilgang", ARTICLE.removesuffix(".html")}
    assert {number for number, _ in state["cases"]} == {"50/5/2027", "51/5/2027", "52/5/2027", "40/4/2027", "41/4/2027"}
    consistent(state)


def test_second_ingest_embeds_nothing(archive, first):
    folder, settings = archive
    summary = ingest_paths([folder], settings, progress=False)
    assert (summary.embedded, summary.skipped_unchanged, summary.documents, summary.removed) == (0, 3, 3, 0)
    assert summary.errors == [] and summary.chunks == first[0].chunks
    assert snapshot(settings) == first[1]


def test_changing_one_paragraph_reembeds_only_what_changed(archive, first):
    folder, settings = archive
    bundle = folder / "motepapirer-5-2027.md"
    old = "Rekrutteringen av pasienter går fortsatt for sakte."
    new = "Rekrutteringen av pasienter har blitt bedre, men tar fortsatt for lang tid."
    bundle.write_text(bundle.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    before = snapshot(settings)
    summary = ingest_paths([folder], settings, progress=False)
    after = snapshot(settings)
    assert summary.errors == [] and summary.skipped_unchanged == 2 and summary.documents == 3
    # the changed passage and its changed sentence; nothing else of the bundle
    assert 0 < summary.embedded <= 3
    gone = set(before["chunks"]) - set(after["chunks"])
    added = set(after["chunks"]) - set(before["chunks"])
    assert len(gone) == len(added) == 1
    (added_id,) = added
    text, meta = after["chunks"][added_id]
    assert new in text and old not in text and meta["case"] == "51/5/2027" and meta["section"] == "Hovedpunkter"
    assert after["cases"] == before["cases"]
    consistent(after)


def test_a_broken_pdf_is_reported_and_the_index_stays_intact(archive, first):
    folder, settings = archive
    report = folder / "notat-registertilgang.pdf"
    before = snapshot(settings)
    report.write_bytes(report.read_bytes()[: len(report.read_bytes()) // 2])  # truncated, as by a failed copy
    summary = ingest_paths([folder], settings, progress=False)
    assert len(summary.errors) == 1
    error = summary.errors[0]
    assert error["path"].endswith("notat-registertilgang.pdf")
    assert "PDF" in error["error"] and "skadet" in error["error"]
    assert summary.embedded == 0 and summary.removed == 0
    after = snapshot(settings)
    assert after == before  # counts, chunks, cases, vectors and BM25 unchanged
    assert any("elleve uker" in text for text, _ in after["chunks"].values())  # the last good version stays


def test_removing_a_file_removes_its_chunks_and_cases(archive, first):
    folder, settings = archive
    (folder / "motepapirer-5-2027.md").unlink()
    (folder / "notat-registertilgang.pdf").unlink()
    summary = ingest_paths([folder], settings, progress=False)
    assert summary.errors == [] and summary.removed == 2 and summary.embedded == 0
    state = snapshot(settings)
    assert state["documents"] == {ARTICLE.removesuffix(".html")}
    assert state["cases"] == set() and summary.cases == 0
    assert all(meta["doc_id"] == ARTICLE.removesuffix(".html") for _, meta in state["chunks"].values())
    assert summary.chunks == len(state["chunks"]) > 0
    consistent(state)


def test_reingesting_the_unchanged_real_corpus_embeds_nothing(corpus_settings):
    before = snapshot(corpus_settings)
    summary = ingest_paths([CORPUS], corpus_settings, progress=False)
    assert summary.errors == []
    assert (summary.embedded, summary.skipped_unchanged, summary.documents, summary.removed) == (0, 2, 2, 0)
    assert (summary.cases, summary.chunks) == (24, len(before["chunks"]))
    assert snapshot(corpus_settings) == before
