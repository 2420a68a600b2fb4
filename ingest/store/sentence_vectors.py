"""Sentence vectors in their own Chroma collection, filtered like the chunks.

Finding a chunk by its single best-matching sentence (a one-line fact in a long passage) used to
scan a matrix of every sentence vector held in the query process. Here the sentences live in a
collection beside the chunks' ("<collection>-sentences"), each with its chunk id and the chunk's
filter fields, so Chroma answers the nearest sentences under the same `where` clause as the
chunks and the query process holds none of them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ingest.settings import StoreSettings
from ingest.store.vectors import VectorIndex

__all__ = ["SentenceVectors", "sentence_id", "FILTER_KEYS"]

FILTER_KEYS = ("access", "meeting", "year", "case", "doc_type", "doc_id")
# Sentences asked of Chroma per distinct chunk wanted: a chunk has about two sentences on
# average, and the best few sentences often share a chunk (not fitted; a margin over that mean).
SENTENCES_PER_CHUNK = 4


def sentence_id(chunk_id: str, index: int) -> str:
    return f"{chunk_id}::s{index}"


def chunk_of(sentence_key: str) -> str:
    """The chunk id inside a sentence id (so a query need not read the sentence's metadata)."""
    return sentence_key.rsplit("::s", 1)[0]


def sentence_store(store: StoreSettings) -> StoreSettings:
    return store.model_copy(update={"collection": f"{store.collection}-sentences"})


def sentence_metadata(chunk_id: str, index: int, chunk_meta: Mapping[str, Any]) -> dict[str, Any]:
    meta = {key: chunk_meta[key] for key in FILTER_KEYS if chunk_meta.get(key) is not None}
    meta.setdefault("access", "public")
    return {**meta, "chunk_id": chunk_id, "idx": int(index)}


class SentenceVectors:
    """The sentence collection: written by ingest, queried by the Retriever."""

    def __init__(self, index: VectorIndex):
        self.index = index

    @classmethod
    def open(cls, data_dir: Path, store: StoreSettings, dimension: int, fresh: bool = False) -> "SentenceVectors":
        return cls(VectorIndex.open(data_dir, sentence_store(store), dimension, fresh=fresh))

    def count(self) -> int:
        return self.index.count()

    def upsert(self, rows: Iterable[tuple[str, int, Mapping[str, Any]]], vectors: list[np.ndarray]) -> None:
        """rows: (chunk_id, sentence index, chunk metadata), one vector each."""
        rows = list(rows)
        if rows:
            ids = [sentence_id(chunk_id, index) for chunk_id, index, _ in rows]
            metas = [sentence_metadata(chunk_id, index, meta) for chunk_id, index, meta in rows]
            self.index.upsert(ids, np.stack(vectors), metas)

    def delete(self, ids: Iterable[str]) -> None:
        self.index.delete(ids)

    def ids(self) -> set[str]:
        return self.index.ids()

    def best_chunks(self, query_vector: np.ndarray, limit: int, filters: dict[str, Any] | None = None, access_of=None) -> list[tuple[str, float]]:
        """Chunks ranked by their best sentence's cosine similarity, at most `limit`; `filters`
        are flat store filters ({"meeting": ..., "access": [...]}, as for build_where);
        `access_of` maps chunk ids to access levels (see nearest_visible)."""
        from ingest.store.visible import nearest_visible

        def sentence_access(keys):
            levels = access_of([chunk_of(key) for key in keys])
            return {key: levels.get(chunk_of(key)) for key in keys}

        ranked: dict[str, float] = {}
        found = nearest_visible(self.index, query_vector, limit * SENTENCES_PER_CHUNK, filters or {}, sentence_access if access_of else None)
        for key, similarity, _ in found:
            chunk_id = chunk_of(key)
            if chunk_id not in ranked:
                ranked[chunk_id] = similarity
                if len(ranked) >= limit:
                    break
        return list(ranked.items())
