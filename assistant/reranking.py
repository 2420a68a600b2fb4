"""Optional cross-encoder reranking of retrieved passages.

Off by default: no multilingual cross-encoder ships as a PyPI package, and this machine cannot
download one, so a site enables it by pointing RADSARKIV_RERANKER at a local model directory
(e.g. a copy of a multilingual MiniLM/BGE reranker). Needs the `st` extra.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.embedders import BackendUnavailable, resolve_model_dir

__all__ = ["CrossEncoderReranker", "make_reranker"]

_ST_MISSING = (
    "Reranking needs the 'st' extra (sentence-transformers), which is not installed: "
    "pip install 'radsarkiv[st]', or unset RADSARKIV_RERANKER."
)


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a local sentence-transformers CrossEncoder on CPU."""

    def __init__(self, model_dir: str | Path, batch_size: int = 16, max_length: int | None = 512) -> None:
        self.model_dir = resolve_model_dir(model_dir, what="reranker model")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise BackendUnavailable(_ST_MISSING) from exc
        self.batch_size = batch_size
        self._model: Any = CrossEncoder(
            str(self.model_dir), device="cpu", local_files_only=True, trust_remote_code=False,
            max_length=max_length,
        )
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads

    def rerank(self, query: str, passages: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
        """(id, text) in; (id, score) out, best first (ties keep the input order)."""
        if not passages:
            return []
        with self._lock:
            scores = self._model.predict(
                [(query, text) for _, text in passages],
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        # A model with several labels gives a row per pair; the last column is "relevant".
        flat = [float(s[-1]) if getattr(s, "ndim", 0) else float(s) for s in scores]
        ranked = sorted(zip((pid for pid, _ in passages), flat, range(len(flat))),
                        key=lambda item: (-item[1], item[2]))
        return [(pid, score) for pid, score, _ in ranked]


_CACHE: dict[str, CrossEncoderReranker] = {}
_CACHE_LOCK = threading.Lock()


def make_reranker(path: str | None) -> CrossEncoderReranker | None:
    """The reranker at `path` (loaded once per process), or None when reranking is off."""
    if not path:
        return None
    key = str(resolve_model_dir(path, what="reranker model"))
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = CrossEncoderReranker(key)
        return _CACHE[key]
