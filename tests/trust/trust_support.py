"""Helpers for the trust tests: tiny corpora and a full picture of an index's state.

The embedder is slow here (a few passages a second), so every corpus in tests/trust is one real
document (the news article) plus small files written by the tests, and each index is built once
per module.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import ingest  # noqa: F401  (offline switches before anything else loads)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
ARTICLE = CORPUS / "2026-06-24-rundebordsserie-om-helsedata.html"
ARTICLE_ID = ARTICLE.stem


def copy_article(target: Path) -> Path:
    """target/ with the real HTML article and its sidecar; returns the article's path."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ARTICLE, target / ARTICLE.name)
    shutil.copy2(ARTICLE.with_name(ARTICLE.name + ".meta.json"), target / (ARTICLE.name + ".meta.json"))
    return target / ARTICLE.name


def ingest_article(root: Path):
    """A fresh index under root/data of a corpus holding only the article: (corpus, settings, summary)."""
    from ingest.pipeline import ingest_paths

    corpus = root / "korpus"
    copy_article(corpus)
    settings = settings_for(root / "data", corpus)
    return corpus, settings, ingest_paths([corpus], settings, progress=False)


def settings_for(data_dir: Path, corpus_dir: Path | None = None, **overrides):
    from ingest.settings import Settings

    return Settings(data_dir=data_dir, corpus_dir=corpus_dir or CORPUS, **overrides)


def vector_index(settings):
    from ingest.embedders import make_embedder
    from ingest.store.vectors import VectorIndex

    return VectorIndex.open(settings.data_dir, settings.store, make_embedder(settings.embedding).dimension)


def index_state(settings, with_vectors: bool = True) -> dict[str, Any]:
    """Everything that says what the index holds: counts, chunk ids per document, source hashes,
    chunk texts and metadata, and (optionally) the ids in the vector store."""
    from ingest.store.register import Register

    register = Register.open_readonly(settings.register_path)
    try:
        db = register.db
        state: dict[str, Any] = {
            "counts": register.counts(),
            "sentences": db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0],
            "documents": dict(db.execute("SELECT doc_id, source_hash FROM documents")),
            "access": dict(db.execute("SELECT doc_id, access FROM documents")),
            "chunks": {cid: (doc, text, meta) for cid, doc, text, meta in db.execute("SELECT chunk_id, doc_id, text, metadata FROM chunks")},
            "duplicate_chunk_ids": db.execute("SELECT COUNT(*) - COUNT(DISTINCT chunk_id) FROM chunks").fetchone()[0],
        }
    finally:
        register.close()
    if with_vectors:
        vectors = vector_index(settings)
        state["vector_ids"] = vectors.ids()
        state["vector_count"] = vectors.count()
    return state


def chunk_ids_of(state: dict[str, Any], doc_id: str) -> set[str]:
    return {cid for cid, (doc, _, _) in state["chunks"].items() if doc == doc_id}


def document_text(settings, doc_id: str) -> str | None:
    from ingest.store.register import Register

    register = Register.open_readonly(settings.register_path)
    try:
        row = register.db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    finally:
        register.close()
    return row[0] if row else None
