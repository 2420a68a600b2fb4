"""Chroma server mode end to end: a real `chroma run` on 127.0.0.1, an ingest with
RADSARKIV_CHROMA_URL set, a search through the Retriever, and the vectors on the server only."""
from __future__ import annotations


import pytest

from tests.conftest import running_chroma_server

import ingest  # noqa: F401  (offline switches first)
from ingest.pipeline import ingest_paths
from ingest.settings import Settings
from ingest.store.register import Register

MINUTES = """\
# Referat fra møte 6/2027

**Dato** 15. desember 2027

**Sak 60/6/2027****Godkjenning av innkalling og saksliste**

Vedtak

*Innkalling og saksliste godkjennes.*

**Sak 61/6/2027****Legemiddelberedskap**

Rådet drøftet lagrene av kritiske legemidler. Flere medlemmer pekte på at sykehusapotekene trenger større lagre.

Vedtak

*Rådet ber sekretariatet lage et notat om legemiddelberedskap.*
"""


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    with running_chroma_server(folder) as url:
        yield url, folder / "db"


@pytest.fixture(scope="module")
def served(chroma_server, tmp_path_factory, monkeypatch_module):
    url, server_path = chroma_server
    archive = tmp_path_factory.mktemp("arkiv")
    (archive / "referat-6-2027.md").write_text(MINUTES, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("data")
    monkeypatch_module.setenv("RADSARKIV_CHROMA_URL", url)
    settings = Settings(data_dir=data_dir, corpus_dir=archive)  # RADSARKIV_CHROMA_URL from the environment
    assert settings.store.chroma_url == url
    summary = ingest_paths([archive], settings, progress=False)
    return settings, summary, server_path


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_ingest_writes_the_vectors_to_the_server(served):
    from chromadb.api.shared_system_client import SharedSystemClient

    from ingest.embedders import make_embedder
    from ingest.store.vectors import VectorIndex

    settings, summary, server_path = served
    assert summary.errors == [] and summary.documents == 1 and summary.cases == 2 and summary.embedded > 0
    register = Register.open_readonly(settings.register_path)
    try:
        ids = {cid for cid, _, _ in register.chunks()}
    finally:
        register.close()
    SharedSystemClient.clear_system_cache()  # ask the server afresh, not a cached client
    remote = VectorIndex.open(settings.data_dir, settings.store, make_embedder(settings.embedding).dimension)
    assert remote.ids() == ids and remote.count() == summary.chunks
    assert not (settings.data_dir / "chroma").exists()  # nothing embedded locally
    assert any(server_path.rglob("*.sqlite3"))  # the server persisted them under its --path


def test_search_through_the_retriever_uses_the_server(served):
    from assistant.retrieval import Retriever, SearchFilters

    settings, _, _ = served
    retriever = Retriever(settings)
    hits = retriever.search("Hva sa rådet om lagre av kritiske legemidler?", k=3)
    assert hits and hits[0].metadata["case"] == "61/6/2027"
    assert any("sykehusapotekene" in hit.text for hit in hits)
    only = retriever.search("legemidler", k=3, filters=SearchFilters(case="60/6/2027"))
    assert only and all(hit.metadata["case"] == "60/6/2027" for hit in only)
    dense = retriever.vectors.query(retriever.embed_query("legemiddelberedskap"), 2)
    assert dense and dense[0][0] in retriever.texts  # the dense side answered from the server


def test_reingest_against_the_server_embeds_nothing(served):
    settings, first, _ = served
    summary = ingest_paths([settings.corpus_dir], settings, progress=False)
    assert (summary.embedded, summary.skipped_unchanged, summary.chunks, summary.errors) == (0, 1, first.chunks, [])
