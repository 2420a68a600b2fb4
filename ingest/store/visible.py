"""Nearest neighbours a caller may see, from a Chroma collection, without Chroma's slow path.

Chroma answers a `where` clause by first collecting every record id that matches it, then searching
among those. For a selective filter (one meeting, one case) that is fast; for the access filter
alone, which matches most of the archive, it costs time in proportion to the archive (measured:
0.2 s at 10k chunks, 1.3 s at 100k, for `access $in ["public"]`). So when the access level is the
only filter, the collection is asked without it for a few times more neighbours than wanted, and
those the caller may not see are dropped; only when too few remain does the filtered query run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ingest.store.vectors import VectorIndex, _NEVER, _prune, build_where

__all__ = ["nearest_visible", "OVERFETCH"]

# Neighbours asked for per neighbour wanted when dropping invisible ones afterwards (not fitted:
# a caller who sees less than a quarter of the archive gets the filtered query instead).
OVERFETCH = 4


def nearest_visible(index: VectorIndex, vector: np.ndarray, k: int, filters: dict[str, Any],
                    access_of: Callable[[Iterable[str]], dict[str, str]] | None = None) -> list[tuple[str, float, dict[str, Any]]]:
    """(id, cosine similarity, metadata), best first, at most k, of records matching `filters`
    (flat: {"meeting": "1/2026", "access": ["public"]}; see build_where).

    `access_of` maps record ids to their access level (from the register, one indexed read);
    without it the level comes from Chroma's metadata, which Chroma reads record by record.
    Metadata is returned only on that path; otherwise it is empty."""
    total = index._recent_count()
    if k <= 0 or total == 0:
        return []
    query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
    levels = filters.get("access")
    selective = {key: value for key, value in filters.items() if key != "access" and value is not None}
    if levels is not None and not selective:
        wanted = min(k * OVERFETCH, total)
        found = _query(index, query, wanted, None, with_metadata=access_of is None)
        if access_of is None:
            level = {i: (meta or {}).get("access", "public") for i, _, meta in found}
        else:
            level = access_of([i for i, _, _ in found])
        visible = [hit for hit in found if level.get(hit[0]) in levels]
        if len(visible) >= k or wanted >= total:
            return visible[:k]
    where = _prune(build_where(filters))
    if where is _NEVER:
        return []
    return _query(index, query, min(k, total), where)


def _query(index: VectorIndex, query: np.ndarray, n: int, where: dict[str, Any] | None, with_metadata: bool = False) -> list[tuple[str, float, dict[str, Any]]]:
    # Metadata only when the access check needs it: Chroma reads it per record, a cost per neighbour.
    include = ["metadatas", "distances"] if with_metadata else ["distances"]
    result = index.collection.query(query_embeddings=query, n_results=n, where=where or None, include=include)
    metadatas = result["metadatas"][0] if result.get("metadatas") else [None] * len(result["ids"][0])
    return [(i, float(1.0 - d), m or {}) for i, d, m in zip(result["ids"][0], result["distances"][0], metadatas)]
