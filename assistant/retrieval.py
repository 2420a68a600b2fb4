"""Hybrid retrieval over the index: dense (Chroma) + BM25, fused by weighted reciprocal rank.

Case numbers named in a query are resolved through the register first: their passages lead the
results. Filters (meeting, year, case, document type) and the caller's access level apply to
every path. The index is read, never written; a newer ingest is picked up on the next query.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ingest.case_numbers import find_case_references
from ingest.models import allowed_access
from ingest.settings import Settings, get_settings
from ingest.store.register import Register, merge_cases
from ingest.store.vectors import build_where


# Paper headers (Til/Saksbehandler/Vedlegg/Fra), agendas and meeting headers repeat words from
# the cases they list without saying anything about them: they rank behind the substance.
BOILERPLATE_PRIOR = 0.5


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
    def __init__(self, settings: Settings):
        from ingest.embedders import make_embedder

        self.settings = settings
        self.embedder = make_embedder(settings.embedding)
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._reranker = None
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
        """(Re)load the register's chunks and the BM25 index when an ingest has changed them."""
        version = self._index_version()
        if not force and version == self._version:
            return
        with self._lock:
            from ingest.store.lexical import LexicalIndex
            from ingest.store.vectors import VectorIndex

            register = Register.open_readonly(self.settings.register_path)
            try:
                rows = register.chunks()
                sentences = register.sentences()
                documents = {d["doc_id"]: d for d in register.documents()}
                case_records = register.case_records()
                sentence_vectors = register.cached_vectors(self.embedder.model_id, [s[3] for s in sentences])
            finally:
                register.close()
            embedded = [s for s in sentences if s[3] in sentence_vectors]
            matrix = (
                np.stack([sentence_vectors[s[3]] for s in embedded])
                if embedded else np.zeros((0, self.embedder.dimension), dtype=np.float32)
            )
            fresh = {
                "sentences": sentences,
                "documents": documents,
                # Each document's own record of each case, and its merged views per access level
                # (filled by cases_for); one tuple, so a view never outlives its records.
                "case_view": (case_records, {}),
                "sentence_vectors": sentence_vectors,
                # matrix and its chunk ids travel together: a query never sees one without the other
                "sentence_index": (matrix, [s[0] for s in embedded]),
                "texts": {chunk_id: text for chunk_id, text, _ in rows},
                "metadata": {chunk_id: meta for chunk_id, _, meta in rows},
                "order": [chunk_id for chunk_id, _, _ in rows],
                "case_order": _ids_by_case(rows),
                "position": {chunk_id: index for index, (chunk_id, _, _) in enumerate(rows)},
                "lexical": LexicalIndex.load(self.settings.lexical_path),
                # An ingest in another process may have rewritten the store: open it afresh.
                "vectors": VectorIndex.open(self.settings.data_dir, self.settings.store, self.embedder.dimension, fresh=self._version is not None),
            }
            # One dict update swaps the whole index view at once for concurrent queries.
            self.__dict__.update(fresh)
            self._version = version

    # ---- the case register, as a role sees it ------------------------------------------------------
    def cases_for(self, role: str | None) -> dict[str, dict[str, Any]]:
        """Case number → the case merged from the documents `role` may read (see merge_cases)."""
        levels = allowed_access(role)
        records, views = self.case_view
        if levels not in views:
            register = Register.open_readonly(self.settings.register_path)
            try:
                municipal = register.municipal_cases(role)
            finally:
                register.close()
            views[levels] = {c["number"]: c for c in merge_cases(records, role) + municipal}
        return views[levels]

    @property
    def cases(self) -> dict[str, dict[str, Any]]:
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
        visible = self.visibility(filters, role)
        return {cid for cid, meta in self.metadata.items() if visible(meta)}

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None, role: str | None = None) -> list[Hit]:
        self.refresh()
        allowed = self.allowed_ids(filters, role)
        if not allowed or not query.strip():
            return []
        where = (filters or SearchFilters()).chroma_filters()
        levels = list(allowed_access(role))
        if len(levels) < 3:
            where["access"] = levels
        ranked, scores = self.rank(query, allowed, where)
        named = [number for number in find_case_references(query) if number in self.cases_for(role)]
        if named:
            # Passages of the cases the question names come first, in their fused order.
            in_case = [cid for cid in ranked if self.metadata[cid].get("case") in named]
            extra = [cid for cid in self.order if cid in allowed and self.metadata[cid].get("case") in named and cid not in in_case]
            ranked = in_case + extra + [cid for cid in ranked if cid not in set(in_case)]
        texts, metadata = self.texts, self.metadata
        hits = [Hit(cid, texts[cid], scores.get(cid, 0.0), metadata[cid]) for cid in ranked[: max(k, 1) * 4] if cid in texts and cid in metadata]
        if self._reranker is not None and not named:
            order = self._reranker.rerank(query, [(h.chunk_id, h.text) for h in hits])
            by_id = {h.chunk_id: h for h in hits}
            hits = [Hit(cid, by_id[cid].text, score, by_id[cid].metadata) for cid, score in order]
        return hits[:k]

    def rank(self, query: str, allowed: set[str], where: dict[str, Any] | None = None) -> tuple[list[str], dict[str, float]]:
        """Candidate chunk ids, best first, by weighted reciprocal-rank fusion, with their scores."""
        config = self.settings.retrieval
        candidates = max(config.candidates, 10)
        query_vector = self.embed_query(query)
        dense = [(cid, score) for cid, score in self.vectors.query(query_vector, candidates * 2, build_where(where)) if cid in allowed][:candidates]
        lexical = self.lexical.search(query, candidates, allowed_ids=allowed) if self.lexical else []
        sentence_level = self._sentence_search(query_vector, allowed, candidates)
        fused: dict[str, float] = {}
        for weight, results in ((config.dense_weight, dense), (config.lexical_weight, lexical), (config.sentence_weight, sentence_level)):
            for rank, (cid, _) in enumerate(results):
                fused[cid] = fused.get(cid, 0.0) + weight / (config.rrf_k + rank + 1)
        for cid in fused:
            meta = self.metadata.get(cid, {})
            if meta.get("section_kind") == "felter" or meta.get("part") in ("agenda", "front_matter"):
                fused[cid] *= BOILERPLATE_PRIOR
        return sorted(fused, key=lambda cid: -fused[cid]), fused

    def _sentence_search(self, query_vector: np.ndarray, allowed: set[str], limit: int) -> list[tuple[str, float]]:
        """Chunks ranked by their single best-matching sentence: a one-line fact in a long
        passage is found even when the passage as a whole is about something else."""
        matrix, chunk_ids = self.sentence_index
        if not len(matrix):
            return []
        similarities = matrix @ query_vector
        ranked: list[tuple[str, float]] = []
        seen: set[str] = set()
        for index in np.argsort(-similarities):
            chunk_id = chunk_ids[index]
            if chunk_id in seen or chunk_id not in allowed:
                continue
            seen.add(chunk_id)
            ranked.append((chunk_id, float(similarities[index])))
            if len(ranked) >= limit:
                break
        return ranked

    @lru_cache(maxsize=512)
    def embed_query(self, query: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(query), dtype=np.float32)

    def next_in_section(self, chunk_id: str) -> str | None:
        """The passage that continues chunk_id's section (same document, part, case, section)."""
        order, index = self.order, self.position.get(chunk_id)
        if index is None or index + 1 >= len(order):
            return None
        current, following = self.metadata[chunk_id], self.metadata[order[index + 1]]
        same = all(current.get(k) == following.get(k) for k in ("doc_id", "case", "part", "section"))
        return order[index + 1] if same else None

    def case_chunks(self, number: str, role: str | None = None, filters: SearchFilters | None = None) -> list[Hit]:
        """A case's passages in document order, as far as the caller's access and filters allow."""
        visible = self.visibility(filters, role)
        return [Hit(cid, self.texts[cid], 0.0, meta) for cid in self.case_order.get(number, ()) if visible(meta := self.metadata[cid])]


def _ids_by_case(rows) -> dict[str, list[str]]:
    """Chunk ids per case in document order: the answer path reads whole cases on every question."""
    by_case: dict[str, list[str]] = {}
    for chunk_id, _, meta in rows:
        if meta.get("case"):
            by_case.setdefault(meta["case"], []).append(chunk_id)
    return by_case


_retriever: Retriever | None = None
_retriever_lock = threading.Lock()


def get_retriever(settings: Settings | None = None) -> Retriever:
    global _retriever
    with _retriever_lock:
        if _retriever is None or (settings is not None and settings is not _retriever.settings):
            _retriever = Retriever(settings or get_settings())
        return _retriever
