"""Writes one document at a time into the register, Chroma and (at the end) BM25.

Crash safety rests on the order of writes per document: vectors are upserted first, then the
register swaps the document's rows in one transaction, then the old version's vectors go. A
crash at any point leaves the register on the old or the new version; Chroma may hold extra
vectors the register does not know, which retrieval ignores (it only ranks register chunks).
BM25 is saved once, at the end, so a crash after a register commit leaves it behind.

finish() therefore makes every derived store agree with the register on every run, whether or
not this run wrote anything: orphaned vectors go, missing chunk vectors are put back (from the
embedding cache), missing sentence vectors are embedded, and BM25 is rebuilt when the register's
chunks (ids and content hashes) differ from those it was built from. One writer at a time: a
second ingest waits for the first (ingest.lock).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
import time
from pathlib import Path

import numpy as np

from ingest.embedders import engine_safe
from ingest.models import Chunk, ParsedDocument
from ingest.settings import Settings
from ingest.store.register import Register

log = logging.getLogger(__name__)


class IndexBusy(RuntimeError):
    """Another ingest holds the index for longer than the configured wait."""


class IndexWriter:
    def __init__(self, settings: Settings):
        from ingest.embedders import make_embedder

        self.settings = settings
        self._lock_file = _acquire_lock(settings.data_dir / "ingest.lock", settings.ingest.lock_timeout_s)
        try:
            self.embedder = make_embedder(settings.embedding)
            self.register = Register.open(settings.register_path)
        except BaseException:
            self._lock_file.close()
            raise
        self._vectors = None
        self._sentences = None
        self._stored_ids: set[str] | None = None
        self.changed = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.register.close()
        finally:
            self._lock_file.close()  # closing releases the flock (as does the process dying)

    @property
    def vectors(self):
        if self._vectors is None:
            from ingest.store.vectors import VectorIndex

            self._vectors = VectorIndex.open(self.settings.data_dir, self.settings.store, self.embedder.dimension)
        return self._vectors

    @property
    def sentence_vectors(self):
        """The sentences' own collection (queried by the Retriever with the chunks' filters)."""
        if self._sentences is None:
            from ingest.store.sentence_vectors import SentenceVectors

            self._sentences = SentenceVectors.open(self.settings.data_dir, self.settings.store, self.embedder.dimension)
        return self._sentences

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(engine_safe(text))

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
        if not ids:
            return True
        if self._stored_ids is None:  # listed once per run, not once per document
            self._stored_ids = self.vectors.ids()
        return ids <= self._stored_ids

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
            embedded = self.embedder.get_text_embedding_batch([engine_safe(by_hash[d]) for d in digests])
            fresh = {d: np.asarray(v, dtype=np.float32) for d, v in zip(digests, embedded)}
            self.register.store_vectors(model_id, fresh)
            vectors.update(fresh)
        return vectors, len(missing)

    def write_document(self, document: ParsedDocument, chunks: list[Chunk], sentences: dict[str, list[str]], digest: str, renditions: list[str], text: str) -> int:
        from ingest.chunking import content_hash

        all_sentences = [s for items in sentences.values() for s in items]
        vectors, embedded = self.embed([c.text for c in chunks] + all_sentences)
        old_ids = self.register.chunk_ids(document.doc_id)
        from ingest.store.derived import document_sentence_ids, upsert_sentences

        old_sentence_ids = document_sentence_ids(self.register, document.doc_id)
        new_sentence_ids = upsert_sentences(self.sentence_vectors, chunks, sentences, vectors)
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
        if old_sentence_ids - new_sentence_ids:
            self.sentence_vectors.delete(sorted(old_sentence_ids - new_sentence_ids))
        self.changed = True
        self._stored_ids = None
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
        """Make Chroma, the sentence vectors and the lexical store agree with the register (see the
        module doc), even when nothing changed in this run."""
        from ingest.store.derived import rebuild_lexical, sync_sentences
        from ingest.store.lexical import LexicalIndex
        from ingest.store.lexical_store import LexicalStore

        known = self.register.all_chunk_ids()
        stored = self.vectors.ids()
        orphans = stored - known
        if orphans:
            self.vectors.delete(sorted(orphans))
        missing = known - stored
        if missing:
            log.warning("%d passages had no vector in the vector store; restoring them", len(missing))
            self._restore_vectors(missing)
        self._embed_missing_sentences()
        sync_sentences(self.register, self.sentence_vectors, self.embedder.model_id)
        fingerprint = self._chunk_fingerprint()
        saved = LexicalIndex.saved_fingerprint(self.settings.lexical_path)
        # A store the Retriever cannot open (missing, or written in an older format) is rebuilt
        # even when its fingerprint matches the register.
        unreadable = LexicalStore.open(self.settings.lexical_path) is None
        if self.changed or saved != fingerprint or unreadable:
            if not self.changed:
                log.warning("the keyword index did not match the register (an interrupted ingest or an older format); rebuilding it")
            rebuild_lexical(self.settings, self.register, fingerprint)
        _remove_leftovers(self.settings.lexical_path)

    def _restore_vectors(self, chunk_ids: set[str]) -> None:
        """Upsert register chunks the vector store lacks, embedding only what the cache lacks."""
        from ingest.chunking import content_hash

        rows = [row for row in self.register.chunks() if row[0] in chunk_ids]
        vectors, _ = self.embed([text for _, text, _ in rows])
        self.vectors.upsert([r[0] for r in rows], [vectors[content_hash(r[1])] for r in rows], [_flat(r[2]) for r in rows])
        self._stored_ids = None

    def _embed_missing_sentences(self) -> None:
        """Sentence vectors live in the embedding cache; retrieval skips a sentence without one."""
        rows = self.register.db.execute(
            "SELECT DISTINCT s.text FROM sentences s WHERE NOT EXISTS "
            "(SELECT 1 FROM embeddings e WHERE e.model_id = ? AND e.content_hash = s.content_hash)",
            (self.embedder.model_id,),
        ).fetchall()
        if rows:
            log.warning("%d sentences had no vector; embedding them", len(rows))
            self.embed([text for (text,) in rows])

    def _chunk_fingerprint(self) -> str:
        """One digest of the register's chunk ids and content hashes: what BM25 must be built from."""
        digest = hashlib.sha256()
        for chunk_id, content in self.register.db.execute("SELECT chunk_id, content_hash FROM chunks ORDER BY chunk_id"):
            digest.update(json.dumps([chunk_id, content]).encode("utf-8"))
        return digest.hexdigest()


def _acquire_lock(path: Path, timeout_s: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    deadline = time.monotonic() + timeout_s
    waited = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise IndexBusy(f"En annen innlesing skriver til indeksen ({path.parent}); prøv igjen når den er ferdig.") from None
            if not waited:
                log.warning("waiting for another ingest to finish (%s)", path)
                waited = True
            time.sleep(0.2)


def _remove_leftovers(lexical_path: Path) -> None:
    """Temporary BM25 directories a killed ingest left beside the index (we hold the lock)."""
    for pattern in (f".{lexical_path.name}.tmp-*", f".{lexical_path.name}.old-*"):
        for leftover in lexical_path.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _flat(metadata: dict) -> dict:
    return {k: v for k, v in metadata.items() if v is not None and isinstance(v, (str, int, float, bool))}
