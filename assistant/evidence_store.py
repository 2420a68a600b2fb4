"""What the evidence scorer reads from the stores, on demand and for one caller's access levels.

The scorer used to copy every visible chunk's text and sentences into memory and count the whole
archive's vocabulary when it was built: memory and start-up time in proportion to the archive.
Here each piece is read when a question needs it: a chunk's sentences from the register (kept in
a small LRU cache, since one answer reads the same passages several times), term statistics and
real words from the lexical store's vocabulary (ingest/store/vocabulary.py), the chunks that use a
term from the lexical store's postings.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from assistant.cues import BULLET

# Chunks whose sentences stay cached per caller's scorer (not fitted: an answer reads its pool of
# 8-30 passages and their neighbours several times; a few thousand rows bound the memory, ~1 MB).
CACHED_CHUNKS = 4096

Row = tuple[int, str, str]  # (sentence index, text, content hash)


class ChunkSentences(Mapping):
    """chunk_id -> [(index, text, content_hash)] of a chunk the caller may read, in order;
    absent for a chunk the caller may not read or that has no sentences (like the old dict)."""

    def __init__(self, reader, levels: tuple[str, ...] | None, capacity: int = CACHED_CHUNKS):
        self._reader = reader
        self._levels = levels
        self._capacity = capacity
        self._cache: OrderedDict[str, list[Row]] = OrderedDict()
        self._lock = threading.Lock()

    def visible(self, chunk_ids: Iterable[str]) -> list[str]:
        """Those of chunk_ids the register holds and the caller may read, in the order given."""
        wanted = list(dict.fromkeys(chunk_ids))
        access = self._reader.access(wanted)
        return [c for c in wanted if c in access and (self._levels is None or access[c] in self._levels)]

    def read(self, chunk_ids: Iterable[str]) -> dict[str, list[Row]]:
        """The sentences of these chunks, read from the register without caching (visibility not checked)."""
        found: dict[str, list[Row]] = {}
        for chunk_id, index, text, digest in self._reader.sentences.of(chunk_ids):
            found.setdefault(chunk_id, []).append((index, text, digest))
        return found

    def prefetch(self, chunk_ids: Iterable[str]) -> None:
        """Read the sentences of these chunks in one query (what a scoring pass will ask for)."""
        with self._lock:
            missing = [c for c in dict.fromkeys(chunk_ids) if c not in self._cache]
        if not missing:
            return
        found = self.read(self.visible(missing))
        with self._lock:
            for chunk_id in missing:
                self._cache[chunk_id] = found.get(chunk_id, [])
                self._cache.move_to_end(chunk_id)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)

    def _rows(self, chunk_id: str) -> list[Row]:
        with self._lock:
            rows = self._cache.get(chunk_id)
            if rows is not None:
                self._cache.move_to_end(chunk_id)
                return rows
        self.prefetch([chunk_id])
        with self._lock:
            return self._cache.get(chunk_id, [])

    def __getitem__(self, chunk_id: str) -> list[Row]:
        rows = self._rows(chunk_id)
        if not rows:
            raise KeyError(chunk_id)
        return rows

    def get(self, chunk_id, default=None):  # type: ignore[override]
        rows = self._rows(chunk_id) if isinstance(chunk_id, str) else []
        return rows if rows else default

    def __contains__(self, chunk_id: object) -> bool:
        return isinstance(chunk_id, str) and bool(self._rows(chunk_id))

    def __iter__(self) -> Iterator[str]:
        """Every visible chunk with sentences, streamed from the register (for tools, not answers)."""
        for chunk_id, meta in self._reader.ids_where():
            if self._levels is None or meta.get("access", "public") in self._levels:
                if self.get(chunk_id):
                    yield chunk_id

    def __len__(self) -> int:
        return sum(1 for _ in self)


class ListLeads(Mapping):
    """(chunk_id, sentence index) -> the sentence that leads into the list item there
    ("Observatører", "Reformen må derfor"), computed from the chunk's sentences when asked."""

    def __init__(self, by_chunk: ChunkSentences):
        self._by_chunk = by_chunk

    def leads(self, chunk_id: str) -> dict[int, str]:
        found: dict[int, str] = {}
        lead = None
        for index, text, _ in self._by_chunk.get(chunk_id, []):
            if BULLET.match(text):
                if lead:
                    found[index] = lead
            else:
                lead = text
        return found

    def __getitem__(self, key: tuple[str, int]) -> str:
        return self.leads(key[0])[key[1]]

    def get(self, key, default=None):  # type: ignore[override]
        return self.leads(key[0]).get(key[1], default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and key[1] in self.leads(key[0])

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return ((chunk_id, index) for chunk_id in self._by_chunk for index in self.leads(chunk_id))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class VisibleTexts(Mapping):
    """chunk_id -> text of the chunks the caller may read, read per lookup; iterating streams
    the register (a scan: for tools, never on the path of an answer)."""

    def __init__(self, reader, levels: tuple[str, ...] | None):
        self._reader, self._levels = reader, levels

    def _visible(self, meta: dict[str, Any]) -> bool:
        return self._levels is None or meta.get("access", "public") in self._levels

    def __getitem__(self, chunk_id: str) -> str:
        row = self._reader.rows([chunk_id]).get(chunk_id)
        if row is None or not self._visible(row[1]):
            raise KeyError(chunk_id)
        return row[0]

    def __iter__(self) -> Iterator[str]:
        return (chunk_id for chunk_id, meta in self._reader.ids_where() if self._visible(meta))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def items(self):  # type: ignore[override]
        rows = self._reader.db().execute("SELECT chunk_id, text, json_extract(metadata, '$.access') FROM chunks ORDER BY doc_id, position")
        return ((chunk_id, text) for chunk_id, text, level in rows if self._levels is None or (level or "public") in self._levels)

    def values(self):  # type: ignore[override]
        return (text for _, text in self.items())


class Idf(Mapping):
    """term -> IDF over the caller's passages, log(1 + N / (1 + df)); absent when no passage uses it."""

    def __init__(self, view, total: int):
        self._view, self._total = view, total

    def __getitem__(self, term: str) -> float:
        frequency = self._view.document_frequency(term) if isinstance(term, str) else 0
        if not frequency:
            raise KeyError(term)
        return math.log(1 + self._total / (1 + frequency))

    def get(self, term, default=None):  # type: ignore[override]
        try:
            return self[term]
        except KeyError:
            return default

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._view.document_frequency(term) > 0

    def __iter__(self) -> Iterator[str]:
        return self._view.iter_stems()

    def __len__(self) -> int:
        return self._view.stem_count()


def _sentence():
    from assistant.evidence import Sentence  # the scorer's module imports this one

    return Sentence


class ArchiveLookups:
    """The EvidenceScorer's lookups beyond the retrieved passages, each a query on the lexical
    store's postings (the chunks that use a term) and the register: never a scan of the archive.
    Needs `retriever`, `levels`, `analyze`, `terms`, `is_rare`, `by_chunk` and `archive`."""

    def sentences_naming(self, terms: set[str]) -> list:
        """Every archive sentence that uses one of these rare terms, in archive order (the rare
        terms' postings in the lexical store, then those chunks' sentences)."""
        lexical = self.retriever.lexical
        if lexical is None:
            return []
        rare = [t for t in terms if self.is_rare(t)]
        chunk_ids = list(dict.fromkeys(c for t in rare for c in lexical.chunk_ids(lexical.positions_with(t, self.levels))))
        rows = self.retriever.reader.rows(chunk_ids)
        by_chunk = self.by_chunk.read(chunk_ids)
        found = []
        for chunk_id in chunk_ids:
            metadata = rows[chunk_id][1] if chunk_id in rows else {}
            for index, text, _ in by_chunk.get(chunk_id, []):
                sentence_terms = self.terms(text)
                if not terms.isdisjoint(sentence_terms):
                    found.append(_sentence()(chunk_id, index, text, metadata, terms=sentence_terms))
        return found

    def decisions_naming(self, names: set[str], shared: int = 1) -> list:
        """Every sentence of the recorded decisions (Vedtak) whose passage uses at least `shared`
        of these names, for finding the record a later paper restates. A name is found through
        the postings of its words (a passage that names "Toril Hernes" uses "toril" and "hernes");
        a name of stopwords only cannot be looked up and counts as found everywhere (so the
        others need one match fewer; when no name can be looked up, nothing is found)."""
        lexical = self.retriever.lexical
        if lexical is None:
            return []
        named: list[np.ndarray] = []
        unsearchable = 0
        for name in names:
            positions = None
            for term in set(self.analyze(name)):
                found = lexical.positions_with(term, self.levels)
                positions = found if positions is None else np.intersect1d(positions, found)
            if positions is None:
                unsearchable += 1
            else:
                named.append(positions)
        needed = max(shared - unsearchable, 1)
        if not named:
            return []
        # Passages by how many of the names they use (each name's positions are distinct).
        positions, counts = np.unique(np.concatenate(named), return_counts=True)
        chunk_ids = lexical.chunk_ids(positions[counts >= needed])
        # Only the decisions' rows are read (at 1M synthetic chunks a common name's passages were
        # 19,000 rows, parsed to keep a few).
        rows = self.retriever.reader.rows(chunk_ids, section_kind="vedtak")
        decisions = [c for c in chunk_ids if c in rows and rows[c][1].get("section_kind") == "vedtak"]
        by_chunk = self.by_chunk.read(decisions)
        # In chunk-id order, as the whole-archive list was: ties between records keep their order.
        return [
            _sentence()(chunk_id, index, text, rows[chunk_id][1], terms=self.terms(text))
            for chunk_id in sorted(by_chunk)
            for index, text, _ in by_chunk[chunk_id]
        ]

    def passages_mentioning(self, literal: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(chunk_id, text, metadata) of the caller's passages that use every analysed term of
        `literal` ("19/2/2026"), in archive order: the candidates a literal search then checks."""
        lexical = self.retriever.lexical
        terms = set(self.analyze(literal))
        if lexical is None or not terms:
            return []
        positions = None
        for term in terms:
            found = lexical.positions_with(term, self.levels)
            positions = found if positions is None else np.intersect1d(positions, found)
        chunk_ids = lexical.chunk_ids(positions)
        rows = self.retriever.reader.rows(chunk_ids)
        return [(c, rows[c][0], rows[c][1]) for c in chunk_ids if c in rows]

    def mentioned_meetings(self) -> set[str]:
        """Meetings the caller's passages mention ("referat fra møte 3/2025")."""
        return self.archive.meetings()
