"""Chunk text and metadata read from the register on demand, for the few passages a query uses.

The query process keeps no copy of every chunk: a search reads the rows of its top candidates by
primary key, a case's passages through the chunks_case index, the next passage of a section by
(doc_id, position). Mapping views (`texts`, `metadata`) keep the old dict-like interface for code
that looks one chunk up; iterating them streams the table from disk instead of holding it.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ChunkReader"]

# Same expression as the chunks_case index (register MIGRATIONS): SQLite uses an expression index
# only when the query spells the expression the same way.
CASE_EXPRESSION = "json_extract(metadata, '$.case')"
_BATCH = 500  # SQLite's default limit on host parameters is 999 (older builds)


class ChunkReader:
    """Read-only access to the register's chunks, sentences and embedding cache, one connection per thread."""

    def __init__(self, path: Path, model_id: str):
        self.path = Path(path)
        self.model_id = model_id
        self._local = threading.local()
        self.texts = _Field(self, "text")
        self.metadata = _Field(self, "metadata")
        self.order = _Order(self)
        self.sentences = _Sentences(self)
        self.sentence_vectors = _Vectors(self)
        self._filter_values: dict[tuple[str, ...], list[tuple[Any, Any, Any]]] = {}  # filter_values, per level set

    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        return db

    def rows(self, chunk_ids: Iterable[str], section_kind: str | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
        """{chunk_id: (text, metadata)} for those of chunk_ids the register holds (with section_kind,
        only those of that section kind: the others are not parsed in Python)."""
        wanted = list(dict.fromkeys(chunk_ids))
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        kind = f" AND json_extract(metadata, '$.section_kind') = ?" if section_kind is not None else ""
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT chunk_id, text, metadata FROM chunks WHERE chunk_id IN ({marks}){kind}"
            for chunk_id, text, meta in self.db().execute(query, batch + ([section_kind] if section_kind is not None else [])):
                found[chunk_id] = (text, json.loads(meta))
        return found

    def access(self, chunk_ids: Iterable[str]) -> dict[str, str]:
        """{chunk_id: access level} for those of chunk_ids the register holds."""
        wanted = list(dict.fromkeys(chunk_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT chunk_id, json_extract(metadata, '$.access') FROM chunks WHERE chunk_id IN ({marks})"
            found.update((chunk_id, level or "public") for chunk_id, level in self.db().execute(query, batch))
        return found

    def case_rows(self, number: str) -> list[tuple[str, str, dict[str, Any]]]:
        """A case's chunks in document order (doc_id, position), as the register holds them."""
        query = f"SELECT chunk_id, text, metadata FROM chunks WHERE {CASE_EXPRESSION} = ? ORDER BY doc_id, position"
        return [(chunk_id, text, json.loads(meta)) for chunk_id, text, meta in self.db().execute(query, (number,))]

    def following(self, chunk_id: str) -> tuple[str, str, dict[str, Any]] | None:
        """The chunk after chunk_id in its document, if any."""
        row = self.db().execute(
            "SELECT c.chunk_id, c.text, c.metadata FROM chunks c JOIN chunks o ON c.doc_id = o.doc_id "
            "WHERE o.chunk_id = ? AND c.position > o.position ORDER BY c.position LIMIT 1",
            (chunk_id,),
        ).fetchone()
        return (row[0], row[1], json.loads(row[2])) if row else None

    def count(self) -> int:
        return self.db().execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def filter_values(self, levels: tuple[str, ...]) -> list[tuple[Any, Any, Any]]:
        """The distinct (meeting, year, doc_type) of the chunks at `levels`: the UI's filter choices.
        One pass inside SQLite per reader (a reader lives as long as the index version) and
        level set, instead of every chunk's metadata parsed in Python on each page load."""
        cache = self._filter_values
        if levels not in cache:
            marks = ",".join("?" * len(levels))
            cache[levels] = self.db().execute(
                "SELECT DISTINCT json_extract(metadata, '$.meeting'), json_extract(metadata, '$.year'), "
                f"json_extract(metadata, '$.doc_type') FROM chunks WHERE COALESCE(json_extract(metadata, '$.access'), 'public') IN ({marks})",
                list(levels),
            ).fetchall()
        return cache[levels]

    def ids_where(self, doc_id: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(chunk_id, metadata) in document order; one document's through its index when given."""
        if doc_id is not None:
            rows = self.db().execute("SELECT chunk_id, metadata FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,))
        else:
            rows = self.db().execute("SELECT chunk_id, metadata FROM chunks ORDER BY doc_id, position")
        for chunk_id, meta in rows:
            yield chunk_id, json.loads(meta)


class _Field(Mapping):
    """chunk_id -> text or metadata, read from the register per lookup (dict-like, read-only)."""

    def __init__(self, reader: ChunkReader, column: str):
        self._reader, self._column = reader, column

    def _value(self, raw: str) -> Any:
        return json.loads(raw) if self._column == "metadata" else raw

    def __getitem__(self, chunk_id: str) -> Any:
        row = self._reader.db().execute(f"SELECT {self._column} FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        if row is None:
            raise KeyError(chunk_id)
        return self._value(row[0])

    def __contains__(self, chunk_id: object) -> bool:
        return self._reader.db().execute("SELECT 1 FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self._reader.db().execute("SELECT chunk_id FROM chunks ORDER BY doc_id, position"))

    def __len__(self) -> int:
        return self._reader.count()

    def items(self):  # type: ignore[override]
        rows = self._reader.db().execute(f"SELECT chunk_id, {self._column} FROM chunks ORDER BY doc_id, position")
        return ((chunk_id, self._value(raw)) for chunk_id, raw in rows)

    def values(self):  # type: ignore[override]
        return (value for _, value in self.items())


class _Order:
    """Chunk ids in document order, streamed (len() counts them)."""

    def __init__(self, reader: ChunkReader):
        self._reader = reader

    def __iter__(self) -> Iterator[str]:
        return iter(self._reader.texts)

    def __len__(self) -> int:
        return self._reader.count()


class _Sentences:
    """Every (chunk_id, idx, text, content_hash) sentence row, streamed in chunk order."""

    def __init__(self, reader: ChunkReader):
        self._reader = reader

    def __iter__(self) -> Iterator[tuple[str, int, str, str]]:
        return iter(self._reader.db().execute("SELECT chunk_id, idx, text, content_hash FROM sentences ORDER BY chunk_id, idx"))

    def __len__(self) -> int:
        return self._reader.db().execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    def of(self, chunk_ids: Iterable[str]) -> list[tuple[str, int, str, str]]:
        wanted = list(dict.fromkeys(chunk_ids))
        rows: list[tuple[str, int, str, str]] = []
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            rows.extend(self._reader.db().execute(f"SELECT chunk_id, idx, text, content_hash FROM sentences WHERE chunk_id IN ({marks}) ORDER BY chunk_id, idx", batch))
        return rows


class _Vectors(Mapping):
    """content_hash -> cached embedding (float32), read from the register's embedding cache."""

    def __init__(self, reader: ChunkReader):
        self._reader = reader

    def __getitem__(self, digest: str) -> np.ndarray:
        row = self._reader.db().execute(
            "SELECT vector FROM embeddings WHERE model_id = ? AND content_hash = ?", (self._reader.model_id, digest)
        ).fetchone()
        if row is None:
            raise KeyError(digest)
        return np.frombuffer(row[0], dtype=np.float32)

    def __iter__(self) -> Iterator[str]:
        rows = self._reader.db().execute("SELECT content_hash FROM embeddings WHERE model_id = ?", (self._reader.model_id,))
        return (row[0] for row in rows)

    def __len__(self) -> int:
        return self._reader.db().execute("SELECT COUNT(*) FROM embeddings WHERE model_id = ?", (self._reader.model_id,)).fetchone()[0]
