"""Hybrid retrieval over the index: dense (Chroma) + BM25 + best sentence, fused by a fitted model.

Each search returns its top candidates; their union is ranked by the logistic model fitted by
`python -m evals.fusion` (assistant/reranking.py: FittedFusion, weights in assistant/fitted.json),
or, without fitted weights, by weighted reciprocal rank.

Case numbers named in a query are resolved through the register first: their passages lead the
results. Filters (meeting, year, case, document type) and the caller's access level apply to
every path. The index is read, never written; a newer ingest is picked up on the next query.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.reranking import Candidate, FittedFusion, RankHints, candidate_features, is_boilerplate
from ingest.case_numbers import find_case_references
from ingest.models import allowed_access
from ingest.settings import Settings, get_settings
from ingest.store.case_view import CaseView
from ingest.store.register import Register
from ingest.store.visible import nearest_visible


# Reciprocal-rank fallback only (no fitted fusion): boilerplate (see is_boilerplate) ranks behind
# the substance at half its fused score. Kept from before the fusion was fitted; the fitted model
# learns its own weight for the same feature.
BOILERPLATE_PRIOR = 0.5
# BM25 scores are read this many times deeper than the candidate count, so a passage another
# search found still gets its lexical score (only the top `candidates` join the union). Not fitted:
# the top-k of a score array already computed costs nothing per extra row.
LEXICAL_DEPTH = 3
_BATCH = 400  # SQLite host parameters per query (the default limit is 999)


@dataclass
class SearchFilters:
    meeting: str | None = None
    year: int | None = None
    case: str | None = None
    doc_type: str | None = None
    doc_id: str | None = None

    def matches(self, metadata: dict[str, Any]) -> bool:
        if self.meeting and metadata.get("meeting") != self.meeting:
            return False
        if self.year and metadata.get("year") != int(self.year):
            return False
        if self.case and metadata.get("case") != self.case:
            return False
        if self.doc_type and metadata.get("doc_type") != self.doc_type:
            return False
        if self.doc_id and metadata.get("doc_id") != self.doc_id:
            return False
        return True

    def chroma_filters(self) -> dict[str, Any]:
        values = {"meeting": self.meeting, "year": int(self.year) if self.year else None, "case": self.case, "doc_type": self.doc_type, "doc_id": self.doc_id}
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class Hit:
    chunk_id: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"chunk_id": self.chunk_id, "score": round(self.score, 5), "text": self.text, **self.metadata}


class Retriever:
    """Hybrid search over stores that filter and rank on disk; no per-chunk state in memory.

    Dense chunks and best sentences come from Chroma (with `where` clauses for filters and access),
    BM25 from the memory-mapped lexical store (filtered before its top k); chunk text and metadata
    are read from the register for the candidates only (`texts`, `metadata` are read-through views).
    """

    def __init__(self, settings: Settings):
        from ingest.embedders import make_embedder

        self.settings = settings
        self.embedder = make_embedder(settings.embedding)
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._reranker = None
        from assistant.fitted import fusion_weights

        # The fitted fusion (None: reciprocal-rank fusion); the eval swaps it per fold.
        self.fusion: FittedFusion | None = FittedFusion.from_json(fusion_weights())
        # When a list, every rank() call appends (query, candidates, features): evals/fusion.py
        # collects its training data this way, from the questions exactly as the assistant asks them.
        self.candidate_log: list | None = None
        if settings.retrieval.reranker:
            from assistant.reranking import make_reranker

            self._reranker = make_reranker(settings.retrieval.reranker)
        self.refresh()

    # ---- loading ---------------------------------------------------------------------------------
    def _index_version(self) -> tuple:
        path = self.settings.register_path
        wal = path.with_name(path.name + "-wal")
        stats = [p.stat().st_mtime_ns if p.exists() else 0 for p in (path, wal)]
        return tuple(stats) + ((self.settings.lexical_path / "ids.json").stat().st_mtime_ns if (self.settings.lexical_path / "ids.json").exists() else 0,)

    def refresh(self, force: bool = False) -> None:
        """(Re)open the stores when an ingest has changed them; only cases and documents are loaded."""
        version = self._index_version()
        if not force and version == self._version:
            return
        with self._lock:
            from ingest.store.chunk_reader import ChunkReader
            from ingest.store.lexical_store import LexicalStore
            from ingest.store.sentence_vectors import SentenceVectors
            from ingest.store.vectors import VectorIndex

            register = Register.open_readonly(self.settings.register_path)
            try:
                documents = {d["doc_id"]: d for d in register.documents()}
            finally:
                register.close()
            reader = ChunkReader(self.settings.register_path, self.embedder.model_id)
            # An ingest in another process may have rewritten the store: open it afresh.
            fresh_open = self._version is not None
            fresh = {
                "documents": documents,
                # The case register per access level (filled by cases_for), read from the register
                # by key: no copy of every case record is held (ingest/store/case_view.py).
                "case_views": {},
                "reader": reader,
                "texts": reader.texts,
                "metadata": reader.metadata,
                "order": reader.order,
                "sentences": reader.sentences,
                "sentence_vectors": reader.sentence_vectors,
                "lexical": LexicalStore.open(self.settings.lexical_path),
                "vectors": VectorIndex.open(self.settings.data_dir, self.settings.store, self.embedder.dimension, fresh=fresh_open),
                "sentence_store": SentenceVectors.open(self.settings.data_dir, self.settings.store, self.embedder.dimension),
            }
            # One dict update swaps the whole index view at once for concurrent queries.
            self.__dict__.update(fresh)
            self._version = version

    # ---- the case register, as a role sees it ------------------------------------------------------
    def cases_for(self, role: str | None) -> CaseView:
        """Case number → the case merged from the documents `role` may read (see merge_cases),
        read by key; `listing()` has every case's number, title, meeting and date."""
        levels = allowed_access(role)
        views = self.case_views
        if levels not in views:
            views[levels] = CaseView(self.settings.register_path, role)
        return views[levels]

    @property
    def cases(self) -> CaseView:
        """The register as the least privileged caller sees it. Anything shown to a user must
        use cases_for(role); this view only exists so a reader that forgets the role fails closed."""
        return self.cases_for("member")

    # ---- search ------------------------------------------------------------------------------------
    @staticmethod
    def visibility(filters: SearchFilters | None, role: str | None):
        """Whether a passage's metadata is within the caller's access level and filters."""
        levels = allowed_access(role)
        filters = filters or SearchFilters()
        return lambda meta: meta.get("access", "public") in levels and filters.matches(meta)

    def allowed_ids(self, filters: SearchFilters | None, role: str | None) -> set[str]:
        """Every visible chunk id (a scan of the register: for tools and one document's view, not search)."""
        visible = self.visibility(filters, role)
        doc_id = filters.doc_id if filters else None
        return {cid for cid, meta in self.reader.ids_where(doc_id) if visible(meta)}

    @staticmethod
    def where(filters: SearchFilters | None, role: str | None) -> dict[str, Any]:
        """The flat store filter for SearchFilters and the caller's access levels."""
        where = (filters or SearchFilters()).chroma_filters()
        levels = list(allowed_access(role))
        if len(levels) < 3:
            where["access"] = levels
        return where

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None, role: str | None = None,
               hints: RankHints | None = None) -> list[Hit]:
        """The top k passages for `query`; `hints` (RankHints.from_analysis) tell the fusion what
        the question asks for (an answer type, a decision, a meeting or month it names)."""
        self.refresh()
        if not query.strip():
            return []
        visible = self.visibility(filters, role)
        ranked, scores, rows = self.rank(query, self.where(filters, role), visible, hints)
        named = [number for number in find_case_references(query) if number in self.cases_for(role)]
        if named:
            # Passages of the cases the question names come first, in their fused order.
            in_case = [cid for cid in ranked if rows[cid][1].get("case") in named]
            seen = set(in_case)
            extra = []
            for number in named:
                for cid, text, meta in self.reader.case_rows(number):
                    if cid not in seen and visible(meta):
                        seen.add(cid)
                        extra.append(cid)
                        rows[cid] = (text, meta)
            ranked = in_case + extra + [cid for cid in ranked if cid not in set(in_case)]
        # An optional reranker reorders four times the passages asked for: a pool size, not a
        # weight, and not fitted since no reranker ships (the brief: none runs usefully here).
        hits = [Hit(cid, rows[cid][0], scores.get(cid, 0.0), rows[cid][1]) for cid in ranked[: max(k, 1) * 4]]
        if self._reranker is not None and not named:
            order = self._reranker.rerank(query, [(h.chunk_id, h.text) for h in hits])
            by_id = {h.chunk_id: h for h in hits}
            hits = [Hit(cid, by_id[cid].text, score, by_id[cid].metadata) for cid, score in order]
        return hits[:k]

    def rank(self, query: str, where: dict[str, Any] | None = None, visible=None, hints: RankHints | None = None) -> tuple[list[str], dict[str, float], dict[str, tuple[str, dict]]]:
        """Candidate chunk ids, best first, with their fused scores and their (text, metadata) rows
        read from the register. The candidates are the union of the dense, BM25 and best-sentence
        top lists; the fitted fusion ranks them (reciprocal-rank fusion when none is fitted)."""
        config = self.settings.retrieval
        candidates = max(config.candidates, 10)
        where = where or {}
        query_vector = self.embed_query(query)
        access_of = self.reader.access
        dense = [(cid, score) for cid, score, _ in nearest_visible(self.vectors, query_vector, candidates, where, access_of)]
        levels = where.get("access")
        store_filters = {key: value for key, value in where.items() if key != "access"}
        lexical = self.lexical.search(query, LEXICAL_DEPTH * candidates, levels=levels, filters=store_filters) if self.lexical else []
        sentence_level = self.sentence_store.best_chunks(query_vector, candidates, where, access_of)
        union = list(dict.fromkeys([cid for cid, _ in dense] + [cid for cid, _ in lexical[:candidates]] + [cid for cid, _ in sentence_level]))
        rows = self.reader.rows(union)
        # Only chunks the register holds (Chroma may keep orphans of an interrupted ingest) and
        # the caller may see (the stores filtered already; this keeps visibility the one rule).
        union = [cid for cid in union if cid in rows and (visible is None or visible(rows[cid][1]))]
        fusion, log = self.fusion, self.candidate_log
        if fusion is None and log is None:  # (hints matter only to the fitted fusion)
            fused = self._reciprocal_rank(union, rows, (dense, lexical[:candidates], sentence_level))
        else:
            found = self._candidates(query_vector, union, rows, dense, lexical, sentence_level)
            access = tuple(sorted(levels)) if levels is not None else None
            features = candidate_features(query, found, hints, lambda term: self.term_idf(term, access))
            if log is not None:
                log.append((query, found, features))
            if fusion is None:
                fused = self._reciprocal_rank(union, rows, (dense, lexical[:candidates], sentence_level))
            else:
                fused = dict(zip(union, (float(p) for p in fusion.score(features))))
        # Ties keep the union's order (dense first), so a ranking never depends on dict order.
        position = {cid: i for i, cid in enumerate(union)}
        return sorted(fused, key=lambda cid: (-fused[cid], position[cid])), fused, rows

    def term_idf(self, term: str, levels: tuple[str, ...] | None = None) -> float:
        """BM25's inverse document frequency of an analysed term over the passages of these access
        levels (all with None), 0 for a term none of them uses: idf_coverage skips it. Counted
        in the caller's share of the archive, so what a lower role is told never depends on words
        only restricted documents use. Read from the lexical store's vocabulary (one indexed
        lookup per term, cached per index version), not from the postings, which at a million
        passages are long for common terms."""
        return self._idf(self._version, levels, term)

    # Keyed by index version, so a refreshed index is read afresh; bounded like the vocabulary's
    # own document-frequency cache (a size, not a weight: it only trades memory for lookups).
    @lru_cache(maxsize=65536)
    def _idf(self, version, levels: tuple[str, ...] | None, term: str) -> float:
        vocabulary = self.lexical.vocabulary.view(levels) if self.lexical and self.lexical.vocabulary else None
        count = vocabulary.passage_count if vocabulary else 0
        df = vocabulary.document_frequency(term) if count else 0
        return math.log(1.0 + (count - df + 0.5) / (df + 0.5)) if df else 0.0

    def _reciprocal_rank(self, union: list[str], rows, lists) -> dict[str, float]:
        """The fallback: weighted reciprocal-rank fusion with the settings' weights."""
        config = self.settings.retrieval
        fused = {cid: 0.0 for cid in union}
        for weight, results in zip((config.dense_weight, config.lexical_weight, config.sentence_weight), lists):
            for rank, (cid, _) in enumerate(results):
                if cid in fused:
                    fused[cid] += weight / (config.rrf_k + rank + 1)
        for cid in fused:
            if is_boilerplate(rows[cid][1]):
                fused[cid] *= BOILERPLATE_PRIOR
        return fused

    def _candidates(self, query_vector: np.ndarray, union: list[str], rows, dense, lexical, sentence_level) -> list[Candidate]:
        """Each candidate with its exact similarities (from the register's embedding cache: the
        passage and its closest sentence) and its place in each search's list."""
        listed = [{cid: (rank, score) for rank, (cid, score) in enumerate(results)} for results in (dense, lexical, sentence_level)]
        # The dense and sentence lists already hold their members' cosines; only the others are read.
        chunk_sim, _ = self._similarities(query_vector, [cid for cid in union if cid not in listed[0]], sentences=False)
        _, sentence_sim = self._similarities(query_vector, [cid for cid in union if cid not in listed[2]], chunks=False)
        found = []
        for cid in union:
            in_dense, in_lexical, in_sentences = (lst.get(cid) for lst in listed)
            similarity = chunk_sim.get(cid, in_dense[1] if in_dense else None)
            found.append(Candidate(
                cid, rows[cid][0], rows[cid][1], dense=similarity,
                sentence=sentence_sim.get(cid, in_sentences[1] if in_sentences else None),
                lexical=in_lexical[1] if in_lexical else 0.0,
                dense_rank=in_dense[0] if in_dense else None,
                lexical_rank=in_lexical[0] if in_lexical else None,
                sentence_rank=in_sentences[0] if in_sentences else None,
            ))
        return found

    def _similarities(self, query_vector: np.ndarray, chunk_ids: list[str], chunks: bool = True, sentences: bool = True) -> tuple[dict[str, float], dict[str, float]]:
        """Cosine of the question with each chunk and with each chunk's closest sentence, from the
        vectors cached by content hash (only the candidates' rows are read)."""
        db = self.reader.db()
        model = self.embedder.model_id
        query = np.asarray(query_vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        chunk_sim: dict[str, float] = {}
        sentence_sim: dict[str, float] = {}
        for start in range(0, len(chunk_ids), _BATCH):
            batch = chunk_ids[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            for table, into in [pair for pair, wanted in ((("chunks", chunk_sim), chunks), (("sentences", sentence_sim), sentences)) if wanted]:
                rows = db.execute(
                    f"SELECT t.chunk_id, e.vector FROM {table} t JOIN embeddings e ON e.model_id = ? AND e.content_hash = t.content_hash "
                    f"WHERE t.chunk_id IN ({marks})", [model, *batch],
                ).fetchall()
                if not rows:
                    continue
                vectors = np.stack([np.frombuffer(blob, dtype=np.float32) for _, blob in rows])
                sims = vectors @ query / np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)
                for (cid, _), sim in zip(rows, sims):
                    if float(sim) > into.get(cid, -2.0):
                        into[cid] = float(sim)
        return chunk_sim, sentence_sim

    @lru_cache(maxsize=512)
    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(query), dtype=np.float32)

    def next_in_section(self, chunk_id: str) -> str | None:
        """The passage that continues chunk_id's section (same document, part, case, section)."""
        following = self.reader.following(chunk_id)
        if following is None or chunk_id not in self.metadata:
            return None
        current, meta = self.metadata[chunk_id], following[2]
        same = all(current.get(k) == meta.get(k) for k in ("doc_id", "case", "part", "section"))
        return following[0] if same else None

    def case_chunks(self, number: str, role: str | None = None, filters: SearchFilters | None = None) -> list[Hit]:
        """A case's passages in document order, as far as the caller's access and filters allow."""
        visible = self.visibility(filters, role)
        return [Hit(cid, text, 0.0, meta) for cid, text, meta in self.reader.case_rows(number) if visible(meta)]


_retriever: Retriever | None = None
_retriever_lock = threading.Lock()


def get_retriever(settings: Settings | None = None) -> Retriever:
    global _retriever
    with _retriever_lock:
        if _retriever is None or (settings is not None and settings is not _retriever.settings):
            _retriever = Retriever(settings or get_settings())
        return _retriever
