"""BM25 that filters and ranks on disk: bm25s memory-mapped, chunk ids and filter fields in SQLite.

The query process holds no per-chunk state for it: the score matrix is memory-mapped (only the
postings of the query's terms are read), chunk ids and the filter fields (meeting, year, case,
document type, document) live in a small SQLite table beside it, and the access level is a
memory-mapped byte per chunk. A search scores every chunk sharing a term with the query (a
vectorised sum over those terms' postings), zeroes the ones the caller may not see, and takes the
top k; only those k ids are read from SQLite.

Measured against SQLite FTS5 with its bm25() ranking on the same 100k analysed chunks (see
evals/results/1m/bench.md): FTS5 scores every matching row through a per-row function call, and a
Norwegian question's common terms ("rådet", "helse") match most chunks, so it was the slower one.

The directory keeps the older LexicalIndex layout (meta.json, ids.json, bm25/) so LexicalIndex.load
still reads it; rows.sqlite and access.npy are added beside it, and vocabulary.sqlite: the term
statistics and real words per access level the answerer reads (see ingest/store/vocabulary.py),
written by the same pass over the register.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from ingest.store.lexical import ANALYZER_VERSION, analyze, swap_in
from ingest.store.vocabulary import FILE_NAME as VOCABULARY_FILE, Vocabulary, VocabularyBuilder

__all__ = ["LexicalStore", "FILTER_FIELDS"]

# The chunk metadata a search can be filtered on (SearchFilters), and their columns.
FILTER_FIELDS = {"meeting": "meeting", "year": "year", "case": "case_number", "doc_type": "doc_type", "doc_id": "doc_id"}
# mmap-2 adds vocabulary.sqlite; a store of an older format is rebuilt by the next ingest.
FORMAT = "mmap-2"


class LexicalStore:
    """BM25 over the register's chunks, opened memory-mapped; immutable once saved."""

    analyze = staticmethod(analyze)

    def __init__(self, path: Path, bm25: bm25s.BM25 | None, access: np.ndarray, access_codes: list[str], count: int,
                 vocabulary: Vocabulary | None = None):
        self.path = Path(path)
        self.vocabulary = vocabulary
        self._bm25 = bm25
        self._access = access
        self._access_codes = access_codes
        self._count = count
        self._local = threading.local()

    def __len__(self) -> int:
        return self._count

    # ------------------------------------------------------------------------------ build --
    @staticmethod
    def build(path: Path, rows: Iterable[tuple[str, str, Mapping[str, Any]]], fingerprint: str | None = None) -> int:
        """Analyse (chunk_id, text, metadata) rows and save the store at `path` atomically;
        `fingerprint` names the register rows it was built from (IndexWriter.finish compares it)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            vocab: dict[str, int] = {}
            corpus: list[list[int]] = []
            ids: list[str] = []
            access_codes: list[str] = []
            access: list[int] = []
            db = sqlite3.connect(str(tmp / "rows.sqlite"))
            db.execute(
                "CREATE TABLE rows (position INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, meeting TEXT, year INTEGER, "
                "case_number TEXT, doc_type TEXT, doc_id TEXT)"
            )
            batch: list[tuple] = []
            statistics = VocabularyBuilder()
            for chunk_id, text, meta in rows:
                terms = analyze(text)
                corpus.append([vocab.setdefault(term, len(vocab)) for term in terms])
                level = meta.get("access", "public")
                if level not in access_codes:
                    access_codes.append(level)
                access.append(access_codes.index(level))
                statistics.add(text, terms, access[-1])
                batch.append((len(ids), chunk_id, meta.get("meeting"), meta.get("year"), meta.get("case"), meta.get("doc_type"), meta.get("doc_id")))
                ids.append(chunk_id)
                if len(batch) >= 10_000:
                    db.executemany("INSERT INTO rows VALUES (?,?,?,?,?,?,?)", batch)
                    batch = []
            db.executemany("INSERT INTO rows VALUES (?,?,?,?,?,?,?)", batch)
            for column in FILTER_FIELDS.values():
                db.execute(f"CREATE INDEX rows_{column} ON rows({column})")
            db.commit()
            db.close()
            statistics.save(tmp / VOCABULARY_FILE)
            del statistics
            if ids:
                # A text with no terms left keeps its (empty) row, so positions stay aligned with ids.
                vocab.setdefault("", len(vocab))
                retriever = bm25s.BM25()
                retriever.index((corpus, vocab), create_empty_token=False, show_progress=False)
                retriever.save(str(tmp / "bm25"))
            np.save(tmp / "access.npy", np.asarray(access, dtype=np.uint8))
            (tmp / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
            meta = {"analyzer_version": ANALYZER_VERSION, "count": len(ids), "format": FORMAT, "access_codes": access_codes, "fingerprint": fingerprint}
            # meta.json last: its presence marks a complete index.
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            swap_in(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return len(ids)

    @classmethod
    def open(cls, path: Path) -> "LexicalStore | None":
        """The store at `path`, memory-mapped; None when there is none, it is of an older layout,
        or was built by another analyzer version (the next ingest rebuilds it)."""
        path = Path(path)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            return None
        if meta.get("analyzer_version") != ANALYZER_VERSION or meta.get("format") != FORMAT:
            return None
        count = int(meta.get("count", 0))
        access = np.load(path / "access.npy", mmap_mode="r") if count else np.zeros(0, dtype=np.uint8)
        vocabulary = Vocabulary.open(path, list(meta.get("access_codes", [])))
        if len(access) != count or vocabulary is None:
            return None
        bm25 = bm25s.BM25.load(str(path / "bm25"), load_corpus=False, mmap=True) if count else None
        return cls(path, bm25, access, list(meta.get("access_codes", [])), count, vocabulary)

    # ----------------------------------------------------------------------------- search --
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path / 'rows.sqlite'}?mode=ro", uri=True, check_same_thread=False)
        return db

    def search(self, query: str, k: int, levels: Iterable[str] | None = None, filters: Mapping[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score), best first; only chunks sharing a term with the query, of the
        given access levels and matching every filter. Filters apply before the top k is taken,
        so a filter never hides matches that exist."""
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        # Each distinct term once: repeating a word in the question should not double it.
        token_ids = [vocab[t] for t in dict.fromkeys(analyze(query)) if t and t in vocab]
        if not token_ids:
            return []
        scores = self._bm25.get_scores_from_ids(token_ids)
        active = {key: value for key, value in (filters or {}).items() if value is not None and key in FILTER_FIELDS}
        if active:
            clauses = " AND ".join(f"{FILTER_FIELDS[key]} = ?" for key in active)
            positions = np.fromiter((row[0] for row in self._db().execute(f"SELECT position FROM rows WHERE {clauses}", tuple(active.values()))), dtype=np.int64)
        else:
            positions = np.flatnonzero(scores > 0)
        if levels is not None:
            codes = [i for i, level in enumerate(self._access_codes) if level in set(levels)]
            if len(codes) < len(self._access_codes):
                positions = positions[np.isin(self._access[positions], codes)]
        candidate_scores = scores[positions]
        keep = candidate_scores > 0
        positions, candidate_scores = positions[keep], candidate_scores[keep]
        if len(positions) > k:
            top = np.argpartition(-candidate_scores, k - 1)[:k]
            positions, candidate_scores = positions[top], candidate_scores[top]
        # Best first; equal scores keep index order, so results are deterministic.
        order = np.lexsort((positions, -candidate_scores))
        positions, candidate_scores = positions[order], candidate_scores[order]
        marks = ",".join("?" * len(positions))
        ids = dict(self._db().execute(f"SELECT position, chunk_id FROM rows WHERE position IN ({marks})", [int(p) for p in positions]))
        return [(ids[int(p)], float(s)) for p, s in zip(positions, candidate_scores) if int(p) in ids]

    # ------------------------------------------------------------------- term postings --
    def positions_with(self, term: str, levels: Iterable[str] | None = None) -> np.ndarray:
        """Positions (document order) of the chunks of these access levels that use the analysed
        term: the term's postings in the memory-mapped score matrix, nothing else read."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.int64)
        token = self._bm25.vocab_dict.get(term)
        if token is None or not term:
            return np.zeros(0, dtype=np.int64)
        scores = self._bm25.scores
        start, end = int(scores["indptr"][token]), int(scores["indptr"][token + 1])
        positions = np.sort(np.asarray(scores["indices"][start:end], dtype=np.int64))
        if levels is not None:
            codes = [i for i, level in enumerate(self._access_codes) if level in set(levels)]
            positions = positions[np.isin(self._access[positions], codes)]
        return positions

    def chunk_ids(self, positions: Iterable[int]) -> list[str]:
        """The chunk ids at these positions, in the order given."""
        wanted = [int(p) for p in positions]
        found: dict[int, str] = {}
        for start in range(0, len(wanted), 500):  # SQLite's limit on host parameters
            batch = wanted[start : start + 500]
            marks = ",".join("?" * len(batch))
            found.update(self._db().execute(f"SELECT position, chunk_id FROM rows WHERE position IN ({marks})", batch))
        return [found[p] for p in wanted if p in found]
