"""Writes one document at a time into the register, Chroma and (at the end) BM25."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.models import Chunk, ParsedDocument
from ingest.settings import Settings
from ingest.store.register import Register


class IndexWriter:
    def __init__(self, settings: Settings):
        from ingest.embedders import make_embedder

        self.settings = settings
        self.embedder = make_embedder(settings.embedding)
        self.register = Register.open(settings.register_path)
        self._vectors = None
        self.changed = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.register.close()

    @property
    def vectors(self):
        if self._vectors is None:
            from ingest.store.vectors import VectorIndex

            self._vectors = VectorIndex.open(self.settings.data_dir, self.settings.store, self.embedder.dimension)
        return self._vectors

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(text)

    def progress(self, items, enabled: bool):
        if not enabled:
            yield from items
            return
        from rich.progress import Progress

        with Progress(transient=False) as bar:
            task = bar.add_task("Leser inn dokumenter", total=len(items))
            for item in items:
                bar.update(task, description=f"Leser inn {getattr(item, 'doc_id', '')}")
                yield item
                bar.advance(task)

    def is_complete(self, doc_id: str) -> bool:
        """The register's chunks for the document are all in the vector store."""
        ids = self.register.chunk_ids(doc_id)
        return ids <= self.vectors.ids() if ids else True

    def embed(self, texts: list[str]) -> tuple[dict[str, np.ndarray], int]:
        """Vectors for texts by content hash; only those missing from the cache are embedded."""
        from ingest.chunking import content_hash

        model_id = self.embedder.model_id
        by_hash = {content_hash(text): text for text in texts}
        vectors = self.register.cached_vectors(model_id, by_hash)
        missing = [digest for digest in by_hash if digest not in vectors]
        batch = self.settings.embedding.batch_size
        for start in range(0, len(missing), batch):
            digests = missing[start : start + batch]
            embedded = self.embedder.get_text_embedding_batch([by_hash[d] for d in digests])
            fresh = {d: np.asarray(v, dtype=np.float32) for d, v in zip(digests, embedded)}
            self.register.store_vectors(model_id, fresh)
            vectors.update(fresh)
        return vectors, len(missing)

    def write_document(self, document: ParsedDocument, chunks: list[Chunk], sentences: dict[str, list[str]], digest: str, renditions: list[str], text: str) -> int:
        from ingest.chunking import content_hash

        all_sentences = [s for items in sentences.values() for s in items]
        vectors, embedded = self.embed([c.text for c in chunks] + all_sentences)
        old_ids = self.register.chunk_ids(document.doc_id)
        if chunks:
            self.vectors.upsert(
                [c.chunk_id for c in chunks],
                [vectors[content_hash(c.text)] for c in chunks],
                [_flat(c.metadata) for c in chunks],
            )
        self.register.replace_document(document, chunks, sentences, digest, renditions, text)
        stale = old_ids - {c.chunk_id for c in chunks}
        if stale:
            self.vectors.delete(sorted(stale))
        self.changed = True
        return embedded

    def remove_missing(self, folders: list[Path], seen: set[str]) -> int:
        """Documents that lived under a scanned folder but whose files are gone."""
        removed = 0
        for document in self.register.documents():
            path = Path(document["path"]).resolve()
            inside = any(folder == path or folder in path.parents for folder in folders)
            if inside and document["doc_id"] not in seen and not any(Path(p).exists() for p in document["renditions"]):
                ids = self.register.chunk_ids(document["doc_id"])
                self.register.remove_document(document["doc_id"])
                if ids:
                    self.vectors.delete(sorted(ids))
                removed += 1
                self.changed = True
        return removed

    def finish(self) -> None:
        """Drop orphaned vectors (from an interrupted run) and rebuild BM25 when anything changed."""
        from ingest.store.lexical import LexicalIndex

        known = self.register.all_chunk_ids()
        orphans = self.vectors.ids() - known
        if orphans:
            self.vectors.delete(sorted(orphans))
            self.changed = True
        if self.changed or LexicalIndex.load(self.settings.lexical_path) is None:
            rows = self.register.chunks()
            LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows]).save(self.settings.lexical_path)


def _flat(metadata: dict) -> dict:
    return {k: v for k, v in metadata.items() if v is not None and isinstance(v, (str, int, float, bool))}
