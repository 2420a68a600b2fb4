"""The dense index: chunk vectors in a chroma collection, embedded by us, never by chroma.

chroma 1.5.9 puts its default embedding function (ONNX all-MiniLM-L6-v2, downloaded on first
use) into every new collection's *schema*, and the collection consults the schema before its own
`embedding_function` argument. So `embedding_function=None` still downloads a model as soon as
anything hands chroma text instead of vectors. We give each collection `_NoEmbedding`, a
registered embedding function that raises: it is persisted in the collection's configuration,
replaces the default in the schema, and turns an accidental text query into a clear error.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ingest.settings import StoreSettings

__all__ = ["VectorIndex", "VectorIndexMismatch", "build_where"]

_NO_EMBEDDING_NAME = "radsarkiv-precomputed"

# Collections this large keep their count for minutes (see VectorIndex._recent_count).
_LARGE_COLLECTION = 10_000


class VectorIndexMismatch(RuntimeError):
    """The stored collection was built for other vectors than the current embedder makes."""


def _no_embedding_class() -> type:
    # chromadb is imported lazily (it is slow to import) and the class registered once.
    with _REGISTER_LOCK:
        return _NoEmbedding or _define_no_embedding()


def _define_no_embedding() -> type:
    global _NoEmbedding
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    class NoEmbedding(EmbeddingFunction[Documents]):
        """Stands where chroma's default model would; Rådsarkiv always passes its own vectors."""

        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            raise RuntimeError(
                "Rådsarkiv's chroma collections hold precomputed vectors: pass embeddings, "
                "not text (chroma must not embed or download a model)."
            )

        @staticmethod
        def name() -> str:
            return _NO_EMBEDDING_NAME

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "NoEmbedding":
            return NoEmbedding()

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

        def supported_spaces(self) -> list[str]:  # type: ignore[override]
            return ["cosine"]

    if _NO_EMBEDDING_NAME not in known_embedding_functions:
        register_embedding_function(NoEmbedding)
    _NoEmbedding = NoEmbedding
    return NoEmbedding


_NoEmbedding: type | None = None
_REGISTER_LOCK = threading.Lock()


def _client_settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def _http_client(url: str) -> Any:
    import chromadb

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"RADSARKIV_CHROMA_URL must look like http://host:port, got {url!r}")
    if parts.path not in ("", "/"):
        raise ValueError(f"RADSARKIV_CHROMA_URL cannot carry a path ({parts.path!r}); give host and port only")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 80)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, settings=_client_settings())


def _clean_metadata(metadata: Mapping[str, Any] | None) -> dict[str, str | int | float | bool] | None:
    if not metadata:
        return None
    clean: dict[str, str | int | float | bool] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (str, int, float, bool)):
            raise TypeError(
                f"metadata {key!r} is a {type(value).__name__}; chroma stores only str, int, "
                "float and bool (flatten or stringify it first)"
            )
        clean[key] = value
    return clean or None


def build_where(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A chroma `where` clause from flat filters; a list means "any of" ($in).

    {"year": 2026} -> {"year": 2026};
    {"year": 2026, "access": ["public", "internal"]} ->
        {"$and": [{"year": 2026}, {"access": {"$in": ["public", "internal"]}}]}
    None values are ignored; an empty list matches nothing.
    """
    clauses: list[dict[str, Any]] = []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            values = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
            clauses.append({key: {"$in": values}})
        else:
            clauses.append({key: value})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


_NEVER = object()  # a where clause no record can satisfy


def _prune(clause: Any) -> Any:
    """`clause` without the parts chroma rejects: an empty $in (matches nothing, so the clause
    may become _NEVER) and an empty $nin (matches everything, so it is dropped -> None)."""
    if not clause:
        return None
    if "$and" in clause or "$or" in clause:
        op = "$and" if "$and" in clause else "$or"
        children = [_prune(child) for child in clause[op]]
        if op == "$and" and any(child is _NEVER for child in children):
            return _NEVER
        if op == "$or" and any(child is None for child in children):
            return None
        children = [child for child in children if child is not None and child is not _NEVER]
        if not children:
            return None if op == "$and" else _NEVER
        return children[0] if len(children) == 1 else {op: children}
    if len(clause) != 1:
        return clause  # not ours to fix: chroma explains what is wrong with it
    (condition,) = clause.values()
    if isinstance(condition, dict) and "$in" in condition and not condition["$in"]:
        return _NEVER
    if isinstance(condition, dict) and "$nin" in condition and not condition["$nin"]:
        return None
    return clause


_OPEN_LOCK = threading.Lock()


def _forget_cached_client(path: Path) -> None:
    """chroma keeps one system per path per process and never rereads the HNSW files another
    process (an ingest) wrote. Forgetting this path's system (without stopping it: a writer in
    this process may still hold it) makes the next client load the files afresh."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)


class VectorIndex:
    """A chroma collection of unit vectors, queried by cosine similarity."""

    def __init__(self, client: Any, collection: Any, dimension: int) -> None:
        self._client = client
        self._collection = collection
        self.dimension = dimension
        self._batch = max(1, int(client.get_max_batch_size()))

    @classmethod
    def open(cls, data_dir: Path, store: StoreSettings, dimension: int,
             model_id: str | None = None, fresh: bool = False) -> "VectorIndex":
        """Open (or create) `store.collection`, embedded under data_dir/chroma or on a server.

        The dimension, and the embedder's model_id when given, are recorded in the collection
        metadata; opening with other ones raises VectorIndexMismatch, because mixing vectors of
        two models silently ruins retrieval.
        """
        import chromadb

        if store.chroma_url:
            client = _http_client(store.chroma_url)
        else:
            path = Path(data_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            with _OPEN_LOCK:  # chroma's first client per path is not created thread-safely
                if fresh:
                    _forget_cached_client(path)
                client = chromadb.PersistentClient(path=str(path), settings=_client_settings())
        metadata: dict[str, Any] = {"dimension": int(dimension)}
        if model_id:
            metadata["embedder"] = model_id
        collection = client.get_or_create_collection(
            store.collection,
            configuration={"hnsw": {
                "space": "cosine",
                "ef_construction": store.hnsw_ef_construction,
                "max_neighbors": store.hnsw_max_neighbors,
                "batch_size": store.hnsw_batch_size,
                "sync_threshold": store.hnsw_sync_threshold,
            }},
            metadata=metadata,
            embedding_function=_no_embedding_class()(),
        )
        index = cls(client, collection, int(dimension))
        index._check_compatible(model_id)
        return index

    def _check_compatible(self, model_id: str | None) -> None:
        meta = self._collection.metadata or {}
        name = self._collection.name
        stored = meta.get("dimension")
        if stored is None and self.count():
            sample = self._collection.get(limit=1, include=["embeddings"])["embeddings"]
            stored = len(sample[0]) if sample is not None and len(sample) else None
        if stored is not None and int(stored) != self.dimension:
            raise VectorIndexMismatch(
                f"The vector collection {name!r} holds {stored}-d vectors but the configured "
                f"embedder makes {self.dimension}-d ones. The embedder was switched without "
                "re-ingesting: re-ingest from scratch (or point RADSARKIV_DATA_DIR / the "
                "collection name elsewhere)."
            )
        stored_model = meta.get("embedder")
        if model_id and stored_model and stored_model != model_id:
            raise VectorIndexMismatch(
                f"The vector collection {name!r} was built with embedder {stored_model!r}, not "
                f"{model_id!r}. Re-ingest from scratch after switching embedders."
            )
        space = (self._collection.configuration_json.get("hnsw") or {}).get("space")
        if space not in (None, "cosine"):
            raise VectorIndexMismatch(f"The vector collection {name!r} uses {space!r} distance, not cosine.")

    # ---------------------------------------------------------------------------- writes --

    def upsert(self, ids: Sequence[str], embeddings: Any,
               metadatas: Sequence[Mapping[str, Any] | None] | None = None) -> None:
        self._count_cache = None
        ids = list(ids)
        vectors = np.asarray(embeddings, dtype=np.float32)
        if not ids:
            return
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dimension):
            raise ValueError(
                f"expected {len(ids)} vectors of dimension {self.dimension}, got shape {vectors.shape}"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("upsert got duplicate ids")
        metas = [_clean_metadata(m) for m in metadatas] if metadatas is not None else [None] * len(ids)
        if len(metas) != len(ids):
            raise ValueError(f"got {len(metas)} metadatas for {len(ids)} ids")
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            batch_ids = ids[start:end]
            self._collection.upsert(
                ids=batch_ids,
                embeddings=vectors[start:end],
                metadatas=self._replacing(batch_ids, metas[start:end]),
            )

    def _replacing(self, ids: list[str], metas: list[dict[str, Any] | None]) -> list[dict[str, Any] | None]:
        """Metadata that *replaces* what an existing record had.

        chroma's upsert merges metadata into an existing record, so a key the new chunk no
        longer has (say its case number) would survive; a None value is chroma's way to delete
        a key, so every stale key is sent as None.
        """
        existing = self._collection.get(ids=ids, include=["metadatas"])
        old = dict(zip(existing["ids"], existing["metadatas"] or []))
        result: list[dict[str, Any] | None] = []
        for record_id, meta in zip(ids, metas):
            stale = {key: None for key in (old.get(record_id) or {}) if key not in (meta or {})}
            merged = {**stale, **(meta or {})}
            result.append(merged or None)
        return result

    def delete(self, ids: Iterable[str]) -> None:
        self._count_cache = None
        ids = list(ids)
        # An empty id list must stay a no-op: never hand chroma an unconstrained delete.
        for start in range(0, len(ids), self._batch):
            self._collection.delete(ids=ids[start:start + self._batch])

    # ----------------------------------------------------------------------------- reads --

    def query(self, embedding: Any, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity), best first; at most k, fewer if fewer match `where`."""
        vector = np.asarray(embedding, dtype=np.float32).reshape(-1)
        if vector.shape[0] != self.dimension:
            raise ValueError(f"query vector has dimension {vector.shape[0]}, index has {self.dimension}")
        where = _prune(where)
        total = self._recent_count()
        if k <= 0 or total == 0 or where is _NEVER:
            return []
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=min(int(k), total),
            where=where or None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, float(1.0 - d)) for i, d in zip(ids, distances)]

    def ids(self) -> set[str]:
        found: set[str] = set()
        offset = 0
        while True:
            page = self._collection.get(include=[], limit=self._batch, offset=offset)["ids"]
            found.update(page)
            if len(page) < self._batch:
                return found
            offset += len(page)

    def count(self) -> int:
        return int(self._collection.count())

    def _recent_count(self, max_age_s: float = 5.0) -> int:
        """count() costs a round trip per query; a few seconds' staleness only caps n_results.
        A large collection's count is kept for minutes: at 1M chunks one count took 160-330 ms on
        a Chroma server (every query within a few seconds of the last count paid nothing, the
        next one paid it all), and the count only caps n_results, which are far below it. Not
        fitted: both limits only bound how stale a cap may be."""
        import time

        now = time.monotonic()
        cached = getattr(self, "_count_cache", None)
        if cached is not None and cached[0] >= _LARGE_COLLECTION:
            max_age_s = max(max_age_s, 300.0)
        if cached is None or now - cached[1] > max_age_s:
            cached = (self.count(), now)
            self._count_cache = cached
        return cached[0]

    @property
    def collection(self) -> Any:
        """The underlying chroma collection (e.g. for llama-index's ChromaVectorStore)."""
        return self._collection
