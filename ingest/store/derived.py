"""Writing the stores derived from the register that the Retriever queries on disk: the sentence
collection and the memory-mapped lexical store. IndexWriter calls these; kept apart so its
crash-ordering code stays short.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ingest.settings import Settings
from ingest.store.register import Register
from ingest.store.sentence_vectors import SentenceVectors, sentence_id

log = logging.getLogger(__name__)


def document_sentence_ids(register: Register, doc_id: str) -> set[str]:
    rows = register.db.execute(
        "SELECT s.chunk_id, s.idx FROM sentences s JOIN chunks c ON c.chunk_id = s.chunk_id WHERE c.doc_id = ?", (doc_id,)
    )
    return {sentence_id(chunk_id, index) for chunk_id, index in rows}


def upsert_sentences(store: SentenceVectors, chunks: list, sentences: Mapping[str, list[str]], vectors: Mapping[str, np.ndarray]) -> set[str]:
    """Upsert a document's sentence vectors (before the register swaps it in); their ids."""
    from ingest.chunking import content_hash

    rows, found = [], []
    for chunk in chunks:
        for index, text in enumerate(sentences.get(chunk.chunk_id, [])):
            vector = vectors.get(content_hash(text))
            if vector is not None:
                rows.append((chunk.chunk_id, index, chunk.metadata))
                found.append(vector)
    store.upsert(rows, found)
    return {sentence_id(chunk_id, index) for chunk_id, index, _ in rows}


def sync_sentences(register: Register, store: SentenceVectors, model_id: str) -> int:
    """Make the sentence collection hold exactly the register's embedded sentences (an index
    built before the collection existed, or an interrupted run); returns how many changed."""
    expected = register.db.execute(
        "SELECT COUNT(*) FROM sentences s JOIN embeddings e ON e.content_hash = s.content_hash AND e.model_id = ?", (model_id,)
    ).fetchone()[0]
    if store.count() == expected:
        return 0
    stored = store.ids()
    wanted: set[str] = set()
    changed = 0
    batch_rows: list[tuple[str, int, dict[str, Any]]] = []
    batch_vectors: list[np.ndarray] = []
    query = (
        "SELECT s.chunk_id, s.idx, c.metadata, e.vector FROM sentences s JOIN chunks c ON c.chunk_id = s.chunk_id "
        "JOIN embeddings e ON e.content_hash = s.content_hash AND e.model_id = ?"
    )
    for chunk_id, index, meta, blob in register.db.execute(query, (model_id,)):
        key = sentence_id(chunk_id, index)
        wanted.add(key)
        if key in stored:
            continue
        batch_rows.append((chunk_id, index, json.loads(meta)))
        batch_vectors.append(np.frombuffer(blob, dtype=np.float32))
        if len(batch_rows) >= 2000:
            store.upsert(batch_rows, batch_vectors)
            changed += len(batch_rows)
            batch_rows, batch_vectors = [], []
    store.upsert(batch_rows, batch_vectors)
    changed += len(batch_rows)
    orphans = stored - wanted
    if orphans:
        store.delete(sorted(orphans))
        changed += len(orphans)
    log.info("sentence collection synced with the register: %d sentences written or removed", changed)
    return changed


def chunk_rows(register: Register) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(chunk_id, text, metadata) in document order, streamed (the lexical store's input)."""
    for chunk_id, text, meta in register.db.execute("SELECT chunk_id, text, metadata FROM chunks ORDER BY doc_id, position"):
        yield chunk_id, text, json.loads(meta)


def rebuild_lexical(settings: Settings, register: Register, fingerprint: str | None = None) -> int:
    from ingest.store.lexical_store import LexicalStore

    return LexicalStore.build(settings.lexical_path, chunk_rows(register), fingerprint)
